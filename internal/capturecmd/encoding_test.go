package capturecmd

import (
	"testing"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/capturecmd/fingerprint"
)

func TestIsLocal(t *testing.T) {
	for _, c := range []struct {
		server string
		want   bool
	}{
		{"127.0.0.1:5005", true},
		{"127.1.2.3:5005", true},
		{"localhost:5005", true},
		{"LocalHost:5005", true},
		{"[::1]:5005", true},
		{":5005", true},
		{"unix:///run/framewire.sock", true},
		{"dns:///localhost:5005", true},
		{"0.0.0.0:5005", true},
		{"[::]:5005", true},
		{"127.0.0.1:5005, 127.0.0.1:5006", true},
		{"127.0.0.1:5005,10.0.0.2:5005", false},
		{"10.0.0.2:5005", false},
		{"[2001:db8::1]:5005", false},
		{"gpu-box:5005", false},
		{"dns:///gpu-box:5005", false},
		{"dns://127.0.0.1:53/gpu-box:5005", false},
	} {
		if got := isLocal(c.server); got != c.want {
			t.Errorf("isLocal(%q) = %v, want %v", c.server, got, c.want)
		}
	}
}

func TestEncodingFlagChoosesTheFrames(t *testing.T) {
	for _, c := range []struct {
		args    []string
		raw     bool
		maxRaw  int
		quality int
	}{
		{[]string{"--source", "a.mp4"}, true, 8 << 20, 90},
		{[]string{"--source", "a.mp4", "--max-msg-mb", "4"}, true, 2 << 20, 90},
		{[]string{"--source", "a.mp4", "--server", "gpu-box:5005"}, false, 0, 90},
		{[]string{"--source", "a.mp4", "--encoding", "jpeg", "--quality", "70"}, false, 0, 70},
		{[]string{"--source", "a.mp4", "--server", "gpu-box:5005", "--encoding", "raw"}, true, 16<<20 - 64<<10, 90},
	} {
		o, err := parseFlags(c.args, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		got := captureOptions(o)
		if got.Raw != c.raw || got.MaxRawBytes != c.maxRaw || got.Quality != c.quality {
			t.Errorf("%q: raw %v up to %d bytes, quality %d; want %v, %d, %d", c.args, got.Raw, got.MaxRawBytes, got.Quality, c.raw, c.maxRaw, c.quality)
		}
	}
	if _, err := parseFlags([]string{"--source", "a.mp4", "--encoding", "png"}, nil); err == nil {
		t.Error("--encoding png was accepted")
	}
}

// The fingerprint tells raw from JPEG frames of the same file, keeps a
// JPEG run's fingerprint as earlier releases made it (nothing added), and
// does not change with a limit every frame stays within.
func TestFingerprintFollowsTheFramesSent(t *testing.T) {
	needFile(t, vtest, "opencv-doc")
	src, err := capture.Open(vtest, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	of := func(args ...string) string {
		o, err := parseFlags(append([]string{"--source", vtest}, args...), nil)
		if err != nil {
			t.Fatal(err)
		}
		return fingerprint.Of(o.source, src.Info(), nil, captureOptions(o))
	}
	jpeg, raw := of("--encoding", "jpeg"), of()
	if jpeg == raw || jpeg != of("--server", "gpu-box:5005") {
		t.Errorf("jpeg %s, raw %s, jpeg to a remote server %s: want raw to differ and JPEG to match", jpeg, raw, of("--server", "gpu-box:5005"))
	}
	if bigger := of("--max-msg-mb", "64"); bigger != raw {
		t.Errorf("a larger --max-msg-mb changed the fingerprint of frames raw either way: %s, %s", raw, bigger)
	}
	if tooSmall := of("--max-msg-mb", "2"); tooSmall != jpeg {
		t.Errorf("frames over half of --max-msg-mb go as JPEG, but the fingerprint %s is not JPEG's %s", tooSmall, jpeg)
	}
}
