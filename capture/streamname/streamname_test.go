package streamname

import "testing"

func TestOf(t *testing.T) {
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
		if got := Of(src); got != want {
			t.Errorf("Of(%q) = %q, want %q", src, got, want)
		}
	}
}
