package capture

import (
	"context"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frames"
)

// fakeReader gives decoded frames without end: a live one's read times
// step by every (a synthetic rate, no waiting), a finite one's are the
// time of the read. It counts its reads.
type fakeReader struct {
	live  bool
	every time.Duration
	img   gocv.Mat
	start time.Time
	reads int64
}

var _ frames.Reader = (*fakeReader)(nil)

// newFakeReader is a fakeReader of 8x8 frames.
func newFakeReader(t *testing.T, live bool, every time.Duration) *fakeReader {
	r := &fakeReader{live: live, every: every, start: time.Now(),
		img: gocv.NewMatWithSizeFromScalar(gocv.NewScalar(10, 20, 30, 0), 8, 8, gocv.MatTypeCV8UC3)}
	t.Cleanup(func() { r.img.Close() })
	return r
}

func (r *fakeReader) Read(ctx context.Context) (frames.Frame, error) {
	if err := ctx.Err(); err != nil {
		return frames.Frame{}, err
	}
	r.reads++
	seq := r.reads - 1
	at := time.Now()
	if r.live {
		at = r.start.Add(time.Duration(seq) * r.every)
	}
	return frames.Frame{Seq: seq, At: at, Image: &r.img}, nil
}

func (r *fakeReader) SkipTo(int64) error { return nil }
func (r *fakeReader) Info() frames.Info {
	return frames.Info{Source: "fake", Kind: KindPipeline, Live: r.live, Width: 8, Height: 8}
}
func (r *fakeReader) Close() error { return nil }

// Encode paces before it encodes: a live source's frames that come too
// early are dropped before the encoder sees them, so the encoder works
// only for the frames sent.
func TestEncodePacesBeforeEncoding(t *testing.T) {
	r := newFakeReader(t, true, time.Second/60)
	s := Encode(r, Options{MaxFPS: 30})
	defer s.Close()
	var seqs []int64
	for range 30 {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, f.Seq)
	}
	if r.reads < 59 {
		t.Errorf("a 60 fps source under a 30 fps cap was read %d times for 30 frames sent, want about 60 (%v)", r.reads, seqs)
	}
	if got := s.Encoded(); got != 30 {
		t.Errorf("encoded %d frames for 30 sent out of %d read, want 30: dropped frames must not be encoded", got, r.reads)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i]-seqs[i-1] != 2 {
			t.Fatalf("sent seqs %v, want every other frame", seqs)
		}
	}
}

// A finite source is paced by waiting before each read, so it is never
// read ahead of what is sent.
func TestEncodeWaitsBeforeReadingAFiniteSource(t *testing.T) {
	r := newFakeReader(t, false, 0)
	s := Encode(r, Options{MaxFPS: 200})
	defer s.Close()
	start := time.Now()
	for i := range 5 {
		f, err := s.Next(context.Background())
		if err != nil || f.Seq != int64(i) {
			t.Fatalf("frame %d: seq %d, %v", i, f.GetSeq(), err)
		}
	}
	if took := time.Since(start); took < 4*time.Second/200*9/10 {
		t.Errorf("5 frames at MaxFPS 200 took %v, want >= about 20ms", took)
	}
	if r.reads != 5 || s.Encoded() != 5 {
		t.Errorf("read %d and encoded %d frames for 5 sent, want 5 and 5", r.reads, s.Encoded())
	}
}
