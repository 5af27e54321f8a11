package stream

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
)

// Source yields the frames of one stream, each with its sequence number and
// capture time set. Next returns io.EOF after the last frame of a finite
// source. It is called from one goroutine only; the returned frame belongs
// to the caller.
type Source interface {
	Next(ctx context.Context) (*pb.Frame, error)
}

// Skipper is a Source that can move ahead without producing frames; a
// resuming client uses it to pass frames the server already has.
type Skipper interface {
	// SkipTo makes the next frame the one with sequence number seq.
	SkipTo(seq int64) error
}

// ClientConfig describes one stream from the client side.
type ClientConfig struct {
	// Header is sent as the first message of every call. Header.Live
	// chooses the drop policy: a live source replaces the unsent frame
	// with the newest one (counted as a drop); a finite source blocks, so
	// nothing is lost.
	Header *pb.StreamHeader
	// Stop, when closed, ends reading from the source: the client sends
	// what it has, half-closes and waits for the outstanding results, as
	// at the end of a file. Nil means never.
	Stop <-chan struct{}
	// OnResult is called for every result, in order, from one goroutine,
	// with the capture-to-result latency. It must not block for long.
	OnResult func(r *pb.FrameResult, latency time.Duration)
	// MaxRetries is how many reconnections in a row may fail (no result
	// received in between) before Run gives up; 0 never reconnects. Only
	// a broken call (Unavailable and the like) is retried.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the wait before a reconnection; it
	// doubles from MinBackoff with each failure, with jitter.
	// Zero means 100 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// OnReconnect, if set, is told before each reconnection: the count of
	// failures in a row, the wait, and why the call broke.
	OnReconnect func(failures int, wait time.Duration, err error)
}

// Client runs streams over one ImageProcedure client. It holds no state
// between runs and is safe for concurrent use.
type Client struct {
	rpc pb.ImageProcedureClient
}

// NewClient returns a Client that makes its calls through rpc.
func NewClient(rpc pb.ImageProcedureClient) *Client {
	return &Client{rpc: rpc}
}

// Run streams src to the server until the source ends (or cfg.Stop
// closes) and every frame sent has its result, reconnecting after a
// broken call as cfg allows. After a reconnection a finite source resumes
// where the server's output stops: frames the server reports done are
// not sent again, frames sent without a result are. A live source goes on
// with fresh frames; the frames lost in between count as Gap. Run returns
// the summary so far together with any error; the error is nil only when
// the stream completed with the server's summary.
func (c *Client) Run(ctx context.Context, src Source, cfg ClientConfig) (*Summary, error) {
	s := &session{
		rpc: c.rpc, cfg: cfg, src: src,
		hdr:  newRunHeader(cfg.Header),
		sum:  &Summary{Live: cfg.Header.GetLive()},
		feed: newFeed(cfg.Header.GetLive()),
	}
	start := time.Now()
	defer func() { s.sum.Duration = time.Since(start) }()
	defer s.stopReader()

	failures := 0
	for {
		progress, err := s.attempt(ctx)
		if err == nil {
			s.sum.Dropped = s.feed.drops()
			return s.sum, nil
		}
		if progress {
			failures = 0
		}
		if failures >= cfg.MaxRetries || !retryable(err) || ctx.Err() != nil {
			s.sum.Dropped = s.feed.drops()
			return s.sum, err
		}
		failures++
		wait := backoff(failures, cfg.MinBackoff, cfg.MaxBackoff)
		if cfg.OnReconnect != nil {
			cfg.OnReconnect(failures, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return s.sum, err
		}
		s.sum.Reconnects++
		if s.sum.Live {
			// Stale frames are not worth sending again.
			s.sum.Gap += int64(len(s.unacked))
			s.unacked = nil
		}
	}
}

// newRunHeader copies hdr for one run, with a fresh run id unless it has
// one.
func newRunHeader(hdr *pb.StreamHeader) *pb.StreamHeader {
	h := proto.Clone(hdr).(*pb.StreamHeader)
	if h.GetRunId() == "" {
		h.RunId = NewRunID()
	}
	return h
}

// NewRunID returns a random run id.
func NewRunID() string {
	var b [16]byte
	_, _ = crand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// retryable reports whether a call that failed with err may work again.
// A name in use by another run (AlreadyExists) or a folder holding another
// run (FailedPrecondition) is not: the user must choose.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted:
		return true
	}
	return errors.Is(err, errNoSummary)
}

// backoff is the wait before reconnection number n (1-based): doubling
// from lo, capped at hi, and drawn from its upper half.
func backoff(n int, lo, hi time.Duration) time.Duration {
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi <= 0 {
		hi = 5 * time.Second
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}

var errNoSummary = errors.New("stream ended without a summary")

// session is the state of one Run across its calls. The reader goroutine
// owns src; attempt's goroutines share unacked under mu.
type session struct {
	rpc  pb.ImageProcedureClient
	cfg  ClientConfig
	src  Source
	hdr  *pb.StreamHeader // sent on every call; follows the server's name
	sum  *Summary
	feed *feed

	readerStop func()
	readerDone chan struct{}

	mu      sync.Mutex
	unacked []*pb.Frame // sent (or being sent) and without a result, in order
}

// startReader starts the goroutine that moves frames from the source to
// the feed, once, after the first call's ready told what is done.
func (s *session) startReader(done []*pb.SeqRange) error {
	if sk, ok := s.src.(Skipper); ok && !s.sum.Live {
		// Frames 0..n-1 done: skip them without decoding or encoding.
		if len(done) > 0 && done[0].GetStart() <= 0 && done[0].GetEnd() > 0 {
			if err := sk.SkipTo(done[0].GetEnd()); err != nil {
				if errors.Is(err, io.EOF) {
					s.feed.close() // everything is done already
					s.readerDone = make(chan struct{})
					close(s.readerDone)
					s.readerStop = func() {}
					return nil
				}
				return fmt.Errorf("skip %d frames already done: %w", done[0].GetEnd(), err)
			}
			s.sum.Skipped += done[0].GetEnd()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.readerStop = cancel
	s.readerDone = make(chan struct{})
	if s.cfg.Stop != nil {
		stop := s.cfg.Stop
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	go func() {
		defer close(s.readerDone)
		s.feed.fill(ctx, s.src, &s.sum.Read)
	}()
	return nil
}

// stopReader ends the reader goroutine and waits for it.
func (s *session) stopReader() {
	if s.readerStop != nil {
		s.readerStop()
		<-s.readerDone
	}
}

// attempt runs one call. progress says whether any result arrived.
func (s *session) attempt(ctx context.Context) (progress bool, err error) {
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	call, err := s.rpc.StreamFrames(callCtx)
	if err != nil {
		return false, fmt.Errorf("open stream: %w", err)
	}
	ready, err := s.handshake(call)
	if err != nil {
		return false, err
	}
	done := seqSet(ready.GetDone())
	if s.sum.Live {
		done = nil // a live run's frames are all new
	}
	if s.readerDone == nil {
		if err := s.startReader(ready.GetDone()); err != nil {
			return false, err
		}
	}
	window := max(int(ready.GetWindow()), 1)

	// Frames sent last time without a result go first, unless done.
	s.mu.Lock()
	resend := slices.DeleteFunc(s.unacked, func(f *pb.Frame) bool { return done.has(f.GetSeq()) })
	s.sum.Skipped += int64(len(s.unacked) - len(resend)) // DeleteFunc shortened it in place
	s.unacked = nil
	s.mu.Unlock()

	credits := make(chan struct{}, window)
	for range window {
		credits <- struct{}{}
	}
	sendDone := make(chan error, 1)
	go func() { sendDone <- s.send(callCtx, call, credits, resend, done) }()

	progress, err = s.receive(call, credits)
	if err != nil {
		cancel()
	}
	sendErr := <-sendDone
	switch {
	case err != nil:
		return progress, err
	case sendErr != nil:
		return progress, sendErr
	case s.feed.readErr() != nil:
		return progress, s.feed.readErr()
	}
	return progress, nil
}

// handshake sends the header and reads the server's ready. Later calls
// of the run use the name the server chose and resume this run.
func (s *session) handshake(call pb.ImageProcedure_StreamFramesClient) (*pb.StreamReady, error) {
	if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: s.hdr}}); err != nil {
		return nil, fmt.Errorf("send stream header: %w", recvErr(call, err))
	}
	first, err := call.Recv()
	if err != nil {
		return nil, fmt.Errorf("stream %q refused: %w", s.hdr.GetName(), err)
	}
	ready := first.GetReady()
	if ready == nil {
		return nil, errors.New("server did not answer the header with ready")
	}
	if s.sum.Ready == nil {
		s.sum.Ready = ready
	}
	if ready.GetName() != "" {
		s.hdr.Name = ready.GetName()
	}
	s.hdr.Exist = pb.ExistPolicy_EXIST_RESUME
	return ready, nil
}

// send is the only goroutine that sends frames in a call: first resend,
// then one frame from the feed per credit, skipping frames in done; at the
// end of the feed it half-closes the call.
func (s *session) send(ctx context.Context, call pb.ImageProcedure_StreamFramesClient, credits <-chan struct{}, resend []*pb.Frame, done seqSet) error {
	for {
		select {
		case <-credits:
		case <-ctx.Done():
			return nil
		}
		var f *pb.Frame
		if len(resend) > 0 {
			f, resend = resend[0], resend[1:]
			s.sum.Resent++
		} else {
			for f = s.feed.next(ctx); f != nil && done.has(f.GetSeq()); f = s.feed.next(ctx) {
				s.sum.Skipped++
			}
		}
		if f == nil {
			if ctx.Err() != nil {
				return nil
			}
			if err := call.CloseSend(); err != nil {
				return fmt.Errorf("half-close stream: %w", err)
			}
			return nil
		}
		// Counted as sent once handed to the call: if the call breaks
		// now, f stays unacked and is resent (a file) or counted in the
		// gap (live).
		s.mu.Lock()
		s.unacked = append(s.unacked, f)
		s.mu.Unlock()
		s.sum.Sent++
		if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: f}}); err != nil {
			return nil // the receiver sees why the call broke
		}
	}
}

// receive reads results until the server ends the call, giving a credit
// back for each one.
func (s *session) receive(call pb.ImageProcedure_StreamFramesClient, credits chan<- struct{}) (progress bool, err error) {
	var gotSummary bool
	for {
		msg, err := call.Recv()
		if errors.Is(err, io.EOF) {
			if !gotSummary {
				return progress, errNoSummary
			}
			return progress, nil
		}
		if err != nil {
			return progress, fmt.Errorf("stream broken: %w", err)
		}
		switch m := msg.Msg.(type) {
		case *pb.StreamResponse_Result:
			progress = true
			r := m.Result
			s.mu.Lock()
			if len(s.unacked) > 0 {
				s.unacked = s.unacked[1:]
			}
			s.mu.Unlock()
			select {
			case credits <- struct{}{}:
			default:
			}
			lat := time.Duration(time.Now().UnixNano() - r.GetCaptureUnixNano())
			s.sum.count(r)
			s.sum.Latency.Add(lat)
			if s.cfg.OnResult != nil {
				s.cfg.OnResult(r, lat)
			}
		case *pb.StreamResponse_Summary:
			gotSummary = true
			s.sum.Server = m.Summary
		default:
			return progress, fmt.Errorf("unexpected message %T from server", m)
		}
	}
}

// recvErr returns the call's status when a send failed because the call
// ended (gRPC reports the reason on Recv, not on Send).
func recvErr(call pb.ImageProcedure_StreamFramesClient, sendErr error) error {
	if !errors.Is(sendErr, io.EOF) {
		return sendErr
	}
	if _, err := call.Recv(); err != nil {
		return err
	}
	return sendErr
}
