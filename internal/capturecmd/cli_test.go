package capturecmd

import "testing"

// Each command reads its own variables; a flag on the command line, under
// either of its names, beats every variable.
func TestEnvironmentPerCommand(t *testing.T) {
	t.Setenv("FRAMEWIRE_SERVER_WINDOW", "3") // the server's: not read here
	t.Setenv("FRAMEWIRE_CAPTURE_CONF", "0.25")
	t.Setenv("FRAMEWIRE_CAPTURE_MAX_FPS", "30")
	o, err := parseFlags([]string{"--source", "0", "--fps", "5"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.window != 0 || o.conf != 0.25 || o.maxFPS != 5 {
		t.Errorf("window %d conf %v max-fps %v; want 0 (the server's variable is not the client's), 0.25, 5 (--fps beats the variable)", o.window, o.conf, o.maxFPS)
	}
}

func TestNameFromSource(t *testing.T) {
	for src, want := range map[string]string{
		"0":                                  "webcam0",
		"/videos/clip.mp4":                   "clip",
		"photos/":                            "photos",
		"shots/*.jpg":                        "shots",
		"/data/cam1/day[12]/*.png":           "cam1",
		"*.jpg":                              "stream",
		"list.txt":                           "list",
		"http://admin:pw@cam/clip.avi?tok=1": "cam-clip.avi",
	} {
		if got := nameFromSource(src); got != want {
			t.Errorf("nameFromSource(%q) = %q, want %q", src, got, want)
		}
	}
}
