package folder

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder/video"
)

// A live stream's JPEGs go as the store's limit says even when the video
// cannot take their frames (here no ffmpeg: every encoder fails to start,
// or is held off by the backoff).
func TestLiveVideoPrunesTheJPEGsOfFramesInNoSegment(t *testing.T) {
	dir := t.TempDir()
	writeLiveFrames(t, dir, 3, "no-ffmpeg", record.Run{RunID: "r", Live: true, Video: true}, 10)
	if got, want := jpegsIn(t, dir), []string{ImageName(7), ImageName(8), ImageName(9)}; !slices.Equal(got, want) {
		t.Errorf("images kept %v, want %v", got, want)
	}
}

// A live stream with a video reopened after a crash keeps the JPEGs of
// the frames no segment holds yet, however many there are: the video
// recovers them into its next segment before they are pruned.
func TestReopenedLiveVideoRecoversFramesBeyondTheKeep(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg (scripts/setup.sh installs it)")
	}
	dir := t.TempDir()
	run := record.Run{RunID: "r", Live: true, Video: true}
	// The first server keeps every JPEG and its video fails (no ffmpeg):
	// 10 frames recorded, none in a segment, as after a crash.
	writeLiveFrames(t, dir, 0, "no-ffmpeg", run, 10)
	s, err := New(dir, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.EnableVideo(VideoConfig{Config: video.Config{FFmpeg: ffmpeg, Segment: time.Minute}})
	out, err := s.Open(context.Background(), "cam", run, pb.ExistPolicy_EXIST_RESUME)
	if err != nil {
		t.Fatal(err)
	}
	if got := jpegsIn(t, dir); len(got) != 10 {
		t.Errorf("after the reopening: images %v, want all 10 (no segment holds them yet)", got)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := video.ReadIndex(os.DirFS(dir), "cam/video")
	if err != nil {
		t.Fatal(err)
	}
	var frames int
	for _, sg := range x.Segments {
		frames += sg.Count
	}
	if frames != 10 {
		t.Errorf("the video holds %d frames, want the 10 recorded", frames)
	}
	if got := jpegsIn(t, dir); len(got) != 3 {
		t.Errorf("after the video took them: images %v, want the last 3", got)
	}
}

// writeLiveFrames records n frames of run in dir's stream "cam" through a
// store keeping keep JPEGs whose video runs ffmpeg (a missing one fails).
func writeLiveFrames(t *testing.T, dir string, keep int, ffmpeg string, run record.Run, n int64) {
	t.Helper()
	s, err := New(dir, keep, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.EnableVideo(VideoConfig{Config: video.Config{FFmpeg: filepath.Join(t.TempDir(), ffmpeg), Segment: time.Second}})
	out, err := s.Open(context.Background(), "cam", run, pb.ExistPolicy_EXIST_RESUME)
	if err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	for seq := range n {
		if _, err := out.WriteImage(seq, jpg.Bytes()); err != nil {
			t.Fatal(err)
		}
		if err := out.Append(record.Frame{Seq: seq, CaptureUnixNano: seq * 40e6, Image: ImageName(seq)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// jpegsIn names the images of dir's stream "cam".
func jpegsIn(t *testing.T, dir string) []string {
	t.Helper()
	got, err := filepath.Glob(filepath.Join(dir, "cam", "*.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	return got
}
