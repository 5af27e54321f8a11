package folder

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
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
	s, err := New(dir, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.EnableVideo(VideoConfig{Config: video.Config{FFmpeg: filepath.Join(t.TempDir(), "no-ffmpeg"), Segment: time.Second}})
	out, err := s.Open(context.Background(), "cam", record.Run{RunID: "r", Live: true, Video: true}, pb.ExistPolicy_EXIST_RESUME)
	if err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	for seq := range int64(10) {
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
	got, _ := filepath.Glob(filepath.Join(dir, "cam", "*.jpg"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	if want := []string{ImageName(7), ImageName(8), ImageName(9)}; !slices.Equal(got, want) {
		t.Errorf("images kept %v, want %v", got, want)
	}
}
