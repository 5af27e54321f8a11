package redact

import "testing"

func TestSource(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://admin:secret@host/clip.avi", "http://host/clip.avi"},
		{"rtsp://admin@cam.local:554/stream1", "rtsp://cam.local:554/stream1"},
		{"https://host/v.mp4?token=abc&x=1", "https://host/v.mp4?token=REDACTED&x=REDACTED"},
		{"rtspsrc location=rtsp://u:p@10.0.0.1/s ! decodebin ! appsink", "rtspsrc location=rtsp://10.0.0.1/s ! decodebin ! appsink"},
		{"/videos/a@b.avi", "/videos/a@b.avi"},
		{"0", "0"},
	} {
		if got := Source(c.in); got != c.want {
			t.Errorf("Source(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
