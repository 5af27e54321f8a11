package storetest

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"sync"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// imageBeforeLine: an image is whole where a reader looks as soon as
// WriteImage returns (images are written concurrently), so that the line
// written after it never names an image that is not there; a frame may
// have no image. (That a killed writer leaves every line's image whole
// is checked by the leases' killed holder.)
func imageBeforeLine(t *testing.T, b Backend) {
	t.Run("whole_when_written", func(t *testing.T) {
		place := b.NewPlace(t)
		o := open(t, b.Open(t, place), "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		paths := writeImages(t, b, place, o, 8)
		for seq := range int64(8) {
			if err := o.Append(record.Frame{Seq: seq, Image: path.Base(paths[seq])}); err != nil {
				t.Fatalf("append frame %d: %v", seq, err)
			}
		}
		closeOut(t, o)
		checkLineImages(t, b, place, "clip", 8)
	})
	t.Run("without_image", func(t *testing.T) {
		place := b.NewPlace(t)
		o := open(t, b.Open(t, place), "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		recordFrame(t, o, 0, false)
		closeOut(t, o)
		checkLines(t, b, place, "clip", []int64{0})
		if _, err := b.Image(t, place, "clip", 0); err == nil {
			t.Errorf("frame 0 written without an image has one")
		}
	})
	t.Run("unary_apart", func(t *testing.T) { unaryApart(t, b) })
}

// writeImages writes the images of frames [0, n) of o at once, each
// checked whole as its WriteImage returns, and returns their paths.
func writeImages(t *testing.T, b Backend, place string, o *output, n int64) []string {
	paths := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for seq := range n {
		wg.Go(func() {
			p, err := o.WriteImage(seq, imageOf(seq))
			if err == nil {
				err = checkImage(t, b, place, o.Name(), seq)
			}
			paths[seq], errs[seq] = p, err
		})
	}
	wg.Wait()
	for seq, err := range errs {
		if err != nil {
			t.Fatalf("frame %d: %v", seq, err)
		}
		if !strings.HasPrefix(paths[seq], o.Name()+"/") {
			t.Errorf("frame %d's image path %q, want it under %q/", seq, paths[seq], o.Name())
		}
	}
	return paths
}

// checkImage says how frame seq's image of stream name differs from the
// one written, nil when it is whole.
func checkImage(t *testing.T, b Backend, place, name string, seq int64) error {
	got, err := b.Image(t, place, name, seq)
	if err != nil {
		return fmt.Errorf("image written, but a reader finds none: %w", err)
	}
	if want := imageOf(seq); !bytes.Equal(got, want) {
		return fmt.Errorf("image of %d bytes where %d were written", len(got), len(want))
	}
	return nil
}

// checkLineImages wants n lines in stream name, each naming its frame's
// image, whole.
func checkLineImages(t *testing.T, b Backend, place, name string, n int) {
	t.Helper()
	lines := b.Lines(t, place, name)
	if len(lines) != n {
		t.Errorf("stream %q: %d lines, want %d", name, len(lines), n)
	}
	for _, l := range lines {
		if l.Image == "" {
			t.Errorf("stream %q: frame %d's line names no image", name, l.Seq)
		}
		if err := checkImage(t, b, place, name, l.Seq); err != nil {
			t.Errorf("stream %q: frame %d: %v", name, l.Seq, err)
		}
	}
}

// unaryApart: a DetectFrame call's image goes apart from every stream,
// even one of the same name.
func unaryApart(t *testing.T, b Backend) {
	place := b.NewPlace(t)
	s := b.Open(t, place)
	p, err := s.WriteUnaryImage("clip", 0, imageOf(0))
	if err != nil {
		t.Fatalf("write unary image: %v", err)
	}
	if p == "" || strings.HasPrefix(p, "clip/") {
		t.Errorf("unary image path %q, want one apart from stream \"clip\"", p)
	}
	o := open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
	if o.Resumed() || len(o.Done()) > 0 {
		t.Errorf("stream \"clip\" after a unary image: resumed %v, done %q; want a fresh stream", o.Resumed(), rangesText(o.Done()))
	}
}
