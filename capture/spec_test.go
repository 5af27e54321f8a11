package capture

import "testing"

func TestParseSpec(t *testing.T) {
	cases := []struct {
		spec, kind, path string
		index            int
		rtsp             bool
	}{
		{spec: "0", kind: KindWebcam, path: "/dev/video0", index: 0},
		{spec: "12", kind: KindWebcam, path: "/dev/video12", index: 12},
		{spec: "/dev/video2", kind: KindDevice, path: "/dev/video2"},
		{spec: "/dev/v4l/by-id/usb-cam", kind: KindDevice, path: "/dev/v4l/by-id/usb-cam"},
		{spec: "rtsp://cam/live", kind: KindURL, rtsp: true},
		{spec: "RTSPS://cam/live", kind: KindURL, rtsp: true},
		{spec: "http://host/a.mjpg", kind: KindURL},
		{spec: "https://host/a.mp4", kind: KindURL},
		{spec: "v4l2src ! videoconvert ! appsink", kind: KindPipeline},
		{spec: "rtspsrc location=rtsp://cam ! decodebin ! appsink", kind: KindPipeline},
		{spec: "movie.avi", kind: KindFile, path: "movie.avi"},
		{spec: "0.avi", kind: KindFile, path: "0.avi"},
		{spec: "./7", kind: KindFile, path: "./7"},
		{spec: "ftp://host/x.avi", kind: KindFile, path: "ftp://host/x.avi"},
	}
	for _, c := range cases {
		sp, err := parseSpec(c.spec)
		if err != nil {
			t.Errorf("parseSpec(%q): %v", c.spec, err)
			continue
		}
		if sp.kind != c.kind || sp.path != c.path || sp.index != c.index || sp.rtsp != c.rtsp || sp.raw != c.spec {
			t.Errorf("parseSpec(%q) = %+v, want kind %s path %q index %d rtsp %v", c.spec, sp, c.kind, c.path, c.index, c.rtsp)
		}
	}
	for _, bad := range []string{"", "99999999999999999999999"} {
		if _, err := parseSpec(bad); err == nil {
			t.Errorf("parseSpec(%q) succeeded, want an error", bad)
		}
	}
}

func TestSourceNameHidesSecrets(t *testing.T) {
	cases := map[string]string{
		"rtsp://cam/live":                  `URL "rtsp://cam/live"`,
		"rtsp://user:pw@cam:554/live?x=1":  `URL "rtsp://cam:554/live?x=REDACTED"`,
		"https://host/v.mp4?apikey=SECRET": `URL "https://host/v.mp4?apikey=REDACTED"`,
		"rtspsrc location=rtsp://u:pw@cam/s?token=SECRET ! decodebin ! appsink": `GStreamer pipeline "rtspsrc location=rtsp://cam/s?token=REDACTED ! decodebin ! appsink"`,
	}
	for in, want := range cases {
		sp, err := parseSpec(in)
		if err != nil {
			t.Fatalf("parseSpec(%q): %v", in, err)
		}
		if got := sp.name(); got != want {
			t.Errorf("name of %q = %s, want %s", in, got, want)
		}
	}
}

func TestOutputSize(t *testing.T) {
	cases := []struct {
		opts         Options
		srcW, srcH   int
		wantW, wantH int
	}{
		{Options{}, 768, 576, 768, 576},
		{Options{Width: 320}, 768, 576, 320, 240},
		{Options{Height: 240}, 768, 576, 320, 240},
		{Options{Width: 100, Height: 100}, 768, 576, 100, 100},
		{Options{Width: 1}, 1000, 10, 1, 1},
		{Options{Width: 641}, 640, 480, 641, 481},
	}
	for _, c := range cases {
		if w, h := c.opts.encoding().Size(c.srcW, c.srcH); w != c.wantW || h != c.wantH {
			t.Errorf("%+v: size of %dx%d = %dx%d, want %dx%d", c.opts, c.srcW, c.srcH, w, h, c.wantW, c.wantH)
		}
	}
}
