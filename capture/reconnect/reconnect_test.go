package reconnect

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/internal/backoff"
)

// fakeLive is a live source that gives frames frames, then fails, or,
// with freeze set, blocks in its read until freeze is closed (a frozen
// camera). With gate set, each frame waits for a token from gate and,
// as a read whose caller gave up, fails when its ctx ended meanwhile. It fails the test if it is closed during a read.
type fakeLive struct {
	t       *testing.T
	frames  int64
	freeze  chan struct{}
	gate    chan struct{}
	n       int64
	reading atomic.Bool
	closed  atomic.Bool
	buffers frames.Buffers // lent by UseBuffers
}

func (s *fakeLive) UseBuffers(b frames.Buffers) { s.buffers = b }

var _ frames.Reader = (*fakeLive)(nil)

func (s *fakeLive) Read(ctx context.Context) (frames.Frame, error) {
	if s.n < s.frames {
		if s.gate != nil {
			<-s.gate
			if err := ctx.Err(); err != nil {
				return frames.Frame{}, err
			}
		}
		s.n++
		return frames.Frame{Seq: s.n - 1, At: time.Now()}, nil
	}
	if s.freeze != nil {
		s.reading.Store(true)
		<-s.freeze
		s.reading.Store(false)
	}
	return frames.Frame{}, io.ErrUnexpectedEOF
}

func (s *fakeLive) Close() error {
	if s.reading.Load() {
		s.t.Error("source closed during a read")
	}
	s.closed.Store(true)
	return nil
}

func (s *fakeLive) Info() frames.Info {
	return frames.Info{Source: "rtsp://user:pw@cam/live?apikey=SECRET", Kind: "url", Live: true}
}
func (s *fakeLive) SkipTo(int64) error { return errors.New("live") }

// opener opens the sources in order, failing with err for nil ones.
func opener(err error, srcs ...*fakeLive) Opener {
	return func() (frames.Reader, error) {
		s := srcs[0]
		srcs = srcs[1:]
		if s == nil {
			return nil, err
		}
		return s, nil
	}
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// readSeqs reads n frames from r and returns their sequence numbers.
func readSeqs(t *testing.T, r *Reader, n int) []int64 {
	t.Helper()
	var seqs []int64
	for range n {
		f, err := r.Read(context.Background())
		if err != nil {
			t.Fatalf("Read after %v: %v", seqs, err)
		}
		seqs = append(seqs, f.Seq)
	}
	return seqs
}

// fastBackoff waits a few milliseconds between attempts.
func fastBackoff() backoff.Policy {
	return backoff.Policy{Min: time.Millisecond, Max: 4 * time.Millisecond}
}

func TestReconnectingGoesOnAfterTheSourceEnds(t *testing.T) {
	first, second := &fakeLive{t: t, frames: 3}, &fakeLive{t: t, frames: 100}
	refused := errors.New("connection refused")
	var lost []error
	var outages []time.Duration
	r := New(first, opener(refused, nil, nil, second), Config{
		Stall: time.Second, Backoff: fastBackoff(),
		OnLost: func(attempt int, _ time.Duration, err error) {
			if attempt != len(lost)+1 {
				t.Errorf("attempt %d after %d", attempt, len(lost))
			}
			lost = append(lost, err)
		},
		OnBack: func(d time.Duration) { outages = append(outages, d) },
	})
	defer r.Close()
	seqs := readSeqs(t, r, 6)
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("seqs %v, want 0..5 going on across the reconnection", seqs)
		}
	}
	if len(lost) != 3 || !errors.Is(lost[0], io.ErrUnexpectedEOF) || !errors.Is(lost[1], refused) || !errors.Is(lost[2], refused) {
		t.Errorf("OnLost told %v, want the read's end, then two refusals", lost)
	}
	if len(outages) != 1 || outages[0] <= 0 {
		t.Errorf("OnBack told %v, want one outage", outages)
	}
	eventually(t, "the lost source is closed", first.closed.Load)
	if err := r.Close(); err != nil || !second.closed.Load() {
		t.Errorf("Close: %v, source closed %v", err, second.closed.Load())
	}
}

// The buffers lent to the Reader reach the source first opened and each
// one opened again.
func TestReconnectingLendsBuffersToEverySource(t *testing.T) {
	first, second := &fakeLive{t: t, frames: 2}, &fakeLive{t: t, frames: 100}
	r := New(first, opener(nil, second), Config{Stall: time.Second, Backoff: fastBackoff()})
	defer r.Close()
	var b frames.Buffers = nopBuffers{}
	frames.UseBuffers(r, b)
	readSeqs(t, r, 4)
	if first.buffers != b || second.buffers != b {
		t.Errorf("buffers lent to the first source %v, to the second %v; want both", first.buffers != nil, second.buffers != nil)
	}
}

// nopBuffers lends new buffers and drops those given back.
type nopBuffers struct{}

func (nopBuffers) Get(n int) []byte { return make([]byte, n) }
func (nopBuffers) Put([]byte)       {}

func TestReconnectingAbandonsAStalledRead(t *testing.T) {
	freeze := make(chan struct{})
	first := &fakeLive{t: t, frames: 2, freeze: freeze}
	second := &fakeLive{t: t, frames: 100}
	var lost []error
	r := New(first, opener(nil, second), Config{
		Stall: 100 * time.Millisecond, Backoff: fastBackoff(),
		OnLost: func(_ int, _ time.Duration, err error) { lost = append(lost, err) },
	})
	defer r.Close()
	start := time.Now()
	seqs := readSeqs(t, r, 4)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("4 frames across a stall of 100 ms took %v", took)
	}
	if seqs[2] != 2 || seqs[3] != 3 {
		t.Errorf("seqs %v, want 0..3", seqs)
	}
	if len(lost) != 1 || !errors.Is(lost[0], errStalled) {
		t.Fatalf("OnLost told %v, want one stall", lost)
	}
	for _, secret := range []string{"pw", "SECRET"} {
		if strings.Contains(lost[0].Error(), secret) {
			t.Errorf("the stall error %q shows %q", lost[0], secret)
		}
	}
	if first.closed.Load() {
		t.Fatal("the stalled source was closed while its read was stuck")
	}
	close(freeze) // the stuck read returns at last
	eventually(t, "the stalled source is closed after its read returned", first.closed.Load)
}

func TestReconnectingGivesUpAfterMaxAttempts(t *testing.T) {
	refused := errors.New("connection refused")
	attempts := 0
	r := New(&fakeLive{t: t, frames: 1}, opener(refused, nil, nil), Config{
		Backoff: fastBackoff(), MaxAttempts: 2,
		OnLost: func(int, time.Duration, error) { attempts++ },
	})
	defer r.Close()
	readSeqs(t, r, 1)
	_, err := r.Read(context.Background())
	if !errors.Is(err, refused) || attempts != 2 {
		t.Errorf("Read after 2 failed attempts = %v after %d attempts, want the refusal after 2", err, attempts)
	}
}

func TestReconnectingStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := New(&fakeLive{t: t, frames: 1}, opener(nil), Config{
		Backoff: backoff.Policy{Min: time.Hour, Max: time.Hour},
		OnLost:  func(int, time.Duration, error) { cancel() },
	})
	defer r.Close()
	readSeqs(t, r, 1)
	start := time.Now()
	if _, err := r.Read(ctx); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("Read with its context ended during the backoff = %v after %v, want context.Canceled at once", err, time.Since(start))
	}
}

func TestReconnectingKeepsAReadItsCallerGaveUpOn(t *testing.T) {
	gate := make(chan struct{}, 2)
	src := &fakeLive{t: t, frames: 100, gate: gate}
	r := New(src, opener(errors.New("reopened"), nil), Config{
		Stall: time.Minute, MaxAttempts: 1,
		OnLost: func(_ int, _ time.Duration, err error) { t.Errorf("source lost: %v", err) },
	})
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with an ended context = %v, want context.Canceled", err)
	}
	// A read in progress when its caller gives up goes on, and the next
	// call takes its frame.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := r.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read whose context ends during the read = %v, want context.DeadlineExceeded", err)
	}
	gate <- struct{}{} // the read goes on
	gate <- struct{}{} // and the one after
	if seqs := readSeqs(t, r, 2); seqs[0] != 0 || seqs[1] != 1 {
		t.Errorf("seqs %v after the callers gave up, want 0 1", seqs)
	}
}

// Composed as the capture command composes a live source (reconnection
// inside the schedule and the encoder), the frames sent go on across a
// reconnection with their sequence numbers, and the first frames of the
// reopened source are paced like the others.
func TestReconnectingInsideTheScheduleAndTheEncoder(t *testing.T) {
	first, second := &fakeLive{t: t, frames: 3}, &fakeLive{t: t, frames: 1 << 62}
	src := capture.Encode(New(first, opener(nil, second), Config{Stall: time.Second, Backoff: fastBackoff()}),
		capture.Options{MaxFPS: 200})
	defer src.Close()
	start := time.Now()
	var seqs []int64
	for range 6 {
		f, err := src.Next(context.Background())
		if err != nil {
			t.Fatalf("Next after %v: %v", seqs, err)
		}
		seqs = append(seqs, f.GetSeq())
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("seqs %v, want them growing across the reconnection", seqs)
		}
	}
	if seqs[3] < 3 {
		t.Errorf("seqs %v: the frames after the reconnection do not follow those before", seqs)
	}
	if took := time.Since(start); took < 5*time.Second/200*9/10 {
		t.Errorf("6 frames at MaxFPS 200 took %v, want >= about 25ms", took)
	}
}
