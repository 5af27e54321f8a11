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
