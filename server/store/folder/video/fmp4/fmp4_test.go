package fmp4

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// constantRate is ffmpeg's fragmented MP4 of 10 frames at 10 fps (90 kHz
// ticks): its track run has no duration per sample, only the fragment's
// default.
func constantRate(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("no ffmpeg")
	}
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "10",
		"-c:v", "libx264", "-preset", "ultrafast", "-video_track_timescale", "90000",
		"-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1").Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	return out
}

func TestLastDurationGivesARunDurationsOfItsOwn(t *testing.T) {
	b := constantRate(t)
	if n, ticks, err := Samples(b); err != nil || n != 10 || ticks != 90000 {
		t.Fatalf("Samples: %d samples, %d ticks, %v; want 10 in 90000", n, ticks, err)
	}
	b, err := SetLastDuration(b, 45000)
	if err != nil {
		t.Fatal(err)
	}
	if n, ticks, err := Samples(b); err != nil || n != 10 || ticks != 9*9000+45000 {
		t.Errorf("after SetLastDuration: %d samples, %d ticks, %v; want 10 in %d", n, ticks, err, 9*9000+45000)
	}
	if err := SetDecodeTime(b, 900000); err != nil {
		t.Fatal(err)
	}
	var times []int64
	err = EachSample(b, func(ticks, dur int64, data []byte) error {
		times = append(times, ticks)
		if len(data) == 0 {
			t.Errorf("sample at %d has no bytes", ticks)
		}
		return nil
	})
	if err != nil || len(times) != 10 || times[0] != 900000 || times[9] != 900000+9*9000 {
		t.Errorf("sample times %v (%v), want 10 from 900000, 9000 apart", times, err)
	}
	file := filepath.Join(t.TempDir(), "x.mp4")
	os.WriteFile(file, b, 0o644)
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames,duration",
		"-of", "default=nw=1", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "nb_read_frames=10") || !strings.Contains(string(out), "duration=11.400000") {
		t.Errorf("ffprobe: %v\n%s; want 10 frames ending at 11.4 s (from 10 s: 9 of 0.1, one of 0.5)", err, out)
	}
}
