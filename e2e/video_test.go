package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/proto/record"
)

// probeVideo returns ffprobe's codec, decoded frame count and duration of
// a video file or playlist.
func probeVideo(t *testing.T, file string) (codec string, frames int, seconds float64) {
	t.Helper()
	// A live playlist (no end tag) would have ffprobe wait for more.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
		"-show_entries", "stream=codec_name,nb_read_frames:format=duration", "-of", "default=nw=1", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", file, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "codec_name":
			codec = v
		case "nb_read_frames":
			frames, _ = strconv.Atoi(v)
		case "duration":
			seconds, _ = strconv.ParseFloat(v, 64)
		}
	}
	return codec, frames, seconds
}

// checkSegments asserts that the segments of dir's video hold frames
// 0..n-1 in order, each once, as its index says (the playlist's frame
// count, probed by the caller, says they play).
func checkSegments(t *testing.T, dir string, n int64) {
	t.Helper()
	var x struct {
		Segments []struct {
			File   string
			Frames [][2]int64
		}
		Ended bool
	}
	b, err := os.ReadFile(filepath.Join(dir, record.VideoDir, record.VideoIndex))
	if err != nil || json.Unmarshal(b, &x) != nil {
		t.Fatalf("video index: %v %s", err, b)
	}
	var next int64
	for _, s := range x.Segments {
		for _, r := range s.Frames {
			if r[0] != next {
				t.Errorf("segment %s holds frames from %d, want %d", s.File, r[0], next)
			}
			next = r[1]
		}
		if _, err := os.Stat(filepath.Join(dir, record.VideoDir, s.File)); err != nil {
			t.Errorf("segment %s: %v", s.File, err)
		}
	}
	if next != n || !x.Ended {
		t.Errorf("the segments hold frames up to %d, ended %v; want %d, ended", next, x.Ended, n)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, record.VideoDir, ".tmp-*")); len(tmps) > 0 {
		t.Errorf("partial files left: %v", tmps)
	}
}

// TestVideoSurvivesTwoServerKills streams vtest.avi to a server writing
// video and SIGKILLs it twice mid-run: the resumed run's playlist plays
// every frame exactly once (795), its segments each play, and the
// segments joined by framewire-export are H.264 of 795 frames lasting as
// long as the source.
func TestVideoSurvivesTwoServerKills(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("needs ffmpeg (scripts/setup.sh installs it)")
	}
	dir, _, err, stderr := runWithInterruptsArgs(t, []string{"--model", "mean", "--video", "--video-segment", "8s"},
		interrupt{after: 170, signal: syscall.SIGKILL}, interrupt{after: 480, signal: syscall.SIGKILL})
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	checkExactOutput(t, dir, 795)
	checkSegments(t, dir, 795)
	if codec, frames, _ := probeVideo(t, filepath.Join(dir, record.VideoDir, record.VideoPlaylist)); codec != "h264" || frames != 795 {
		t.Errorf("the playlist plays %s with %d frames, want h264 with 795", codec, frames)
	}
	joined := exportVideo(t, dir)
	codec, frames, seconds := probeVideo(t, joined)
	_, _, source := probeVideo(t, vtest)
	if codec != "h264" || frames != 795 || seconds < source*0.99 || seconds > source*1.01 {
		t.Errorf("joined video: %s, %d frames, %.3f s; want h264, 795 frames, %.3f s within 1%%", codec, frames, seconds, source)
	}
	t.Logf("joined video: %s, %d frames, %.3f s (source %.3f s)", codec, frames, seconds, source)
}

// exportVideo joins the video of the stream folder dir with
// framewire-export --format mp4 and returns the file.
func exportVideo(t *testing.T, dir string) string {
	t.Helper()
	exportBin := buildCmd(t, "framewire-export")
	joined := filepath.Join(t.TempDir(), "joined.mp4")
	if out, err := exec.Command(exportBin, "--format", "mp4", "--out", joined, dir).CombinedOutput(); err != nil {
		t.Fatalf("framewire-export --format mp4: %v\n%s", err, out)
	}
	return joined
}

// TestVideoAcrossASizeChangeExportsAsOne streams a clip whose picture
// changes size (40 frames at 320x240, then 40 at 768x576): the segments
// hold every frame once, and framewire-export makes them one H.264 MP4
// of the 80 frames lasting as long as the clip, 3.2 s, as does the
// playlist (the frames read through GStreamer after the change are timed
// on from FFmpeg's last position at the clip's 25 fps).
func TestVideoAcrossASizeChangeExportsAsOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var clip []byte
	for _, c := range [][2]string{{"testsrc", "320x240"}, {"testsrc2", "768x576"}} {
		b, err := os.ReadFile(makeClip(t, dir, c[0]+".ts", c[0], c[1], 40))
		if err != nil {
			t.Fatal(err)
		}
		clip = append(clip, b...)
	}
	src := writeBytes(t, dir, "joined.ts", clip)
	s := startServer(t, t.TempDir(), "--model", "mean", "--video", "--video-segment", "1s")
	var stdout, stderr bytes.Buffer
	if err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", src, "--name", "sizes", "--quiet"}, &stdout, &stderr); err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	out := filepath.Join(s.out, "sizes")
	poll(t, 30*time.Second, "finished video", func() bool {
		b, err := os.ReadFile(filepath.Join(out, record.VideoDir, record.VideoIndex))
		return err == nil && bytes.Contains(b, []byte(`"ended": true`))
	})
	checkSegments(t, out, 80)
	const want = 3.2
	if _, _, listed := probeVideo(t, filepath.Join(out, record.VideoDir, record.VideoPlaylist)); listed < want*0.99 || listed > want*1.01 {
		t.Errorf("playlist: %.3f s, want the clip's %.1f s within 1%%", listed, want)
	}
	codec, frames, seconds := probeVideo(t, exportVideo(t, out))
	if codec != "h264" || frames != 80 || seconds < want*0.99 || seconds > want*1.01 {
		t.Errorf("joined video: %s, %d frames, %.3f s; want h264, 80 frames, %.1f s within 1%%", codec, frames, seconds, want)
	}
}

// A live camera's server is SIGKILLed before any segment is finished,
// with far more frames recorded than --live-keep-frames: the restarted
// server's video recovers every one of them (their JPEGs wait for the
// video, not for the keep), and once the stream ends its segments hold
// every frame recorded, before and after the kill, each once.
func TestLiveVideoRecoversEveryFrameAfterAKill(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("needs ffmpeg (scripts/setup.sh installs it)")
	}
	out, addr := t.TempDir(), freeAddr(t)
	args := []string{"--model", "mean", "--video", "--video-segment", "10m", "--live-keep-frames", "5", "--listen", addr}
	s := startServer(t, out, args...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- capturecmd.Run(ctx, []string{"--server", addr, "--source", testCamera, "--name", "cam", "--quiet", "--retries", "50"}, io.Discard, &stderr)
	}()
	waitLines(t, 30*time.Second, 40, out, "cam")
	if err := s.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	before := lineCount(t, filepath.Join(out, "cam", "predictions.jsonl"))
	s = startServer(t, out, args...)
	waitLines(t, 30*time.Second, before+20, out, "cam")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("client: %v\n%s", err, stderr.String())
	}
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	recorded := lineCount(t, filepath.Join(out, "cam", "predictions.jsonl"))
	indexed, files := videoFrames(t, filepath.Join(out, "cam"))
	played := 0
	for _, f := range files {
		_, n, _ := probeVideo(t, filepath.Join(out, "cam", record.VideoDir, f))
		played += n
	}
	if int(indexed) != recorded || played != recorded {
		t.Errorf("the video's index holds %d frames and its segments play %d; %d were recorded (%d before the kill)", indexed, played, recorded, before)
	}
	if jpgs, _ := filepath.Glob(filepath.Join(out, "cam", "*.jpg")); len(jpgs) > 5 {
		t.Errorf("%d JPEGs left once the video holds their frames, want at most 5 (--live-keep-frames)", len(jpgs))
	}
}

// videoFrames counts the frames the segments of dir's video index hold,
// and names the segments' files.
func videoFrames(t *testing.T, dir string) (n int64, files []string) {
	t.Helper()
	var x struct {
		Segments []struct {
			File   string
			Frames [][2]int64
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, record.VideoDir, record.VideoIndex))
	if err != nil || json.Unmarshal(b, &x) != nil {
		t.Fatalf("video index: %v %s", err, b)
	}
	for _, s := range x.Segments {
		for _, r := range s.Frames {
			n += r[1] - r[0]
		}
		files = append(files, s.File)
	}
	return n, files
}
