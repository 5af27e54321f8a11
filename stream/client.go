package stream

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/framewire/framewire/internal/backoff"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/sourcenews"
)

// ClientConfig describes one stream from the client side.
type ClientConfig struct {
	// Header is sent as the first message of every call. Header.Live
	// chooses the drop policy: a live source replaces the unsent frame
	// with the newest one (counted as a drop); a finite source blocks, so
	// nothing is lost.
	Header *pb.StreamHeader
	// OnResult is called for every result, in order, from one goroutine,
	// with the capture-to-result latency. It must not block for long.
	OnResult func(r *pb.FrameResult, latency time.Duration)
	// MaxRetries is how many reconnections in a row may fail (no result
	// received in between) before Run gives up; 0 never reconnects. Only
	// a broken call (Unavailable and the like) is retried. A server that
	// refuses the stream because it is full and says when to try again
	// (ResourceExhausted with RetryInfo) is tried again as it says, as
	// often as it takes: that is not a failure.
	MaxRetries int
	// WaitForServer is how long a run keeps trying to reach a server that
	// has not answered it yet: 0 gives up at the first call that cannot
	// be opened (ErrUnreachable), a negative value waits until ctx ends.
	// Once a server answered, broken calls are retried as MaxRetries says.
	WaitForServer time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnection; it
	// doubles from MinBackoff with each failure, with jitter.
	// Zero means 100 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// OnReconnect, if set, is told before each reconnection: the count of
	// failures in a row (0 for a full server's refusal, which is not a
	// failure), the wait, and why the call broke.
	OnReconnect func(failures int, wait time.Duration, err error)
	// OnWaitForServer, if set, is told once, when the run starts waiting
	// for a server it cannot reach (see WaitForServer).
	OnWaitForServer func(err error)
	// OnQueued, if set, is told the stream's place in the server's queue
	// while it waits for one of the server's stream slots, each time the
	// place changes; OnReady follows when it gets one.
	OnQueued func(q *pb.StreamQueued)
	// OnReady, if set, is told the server's answer to the header of every
	// call, before the call's first frame is sent; on the first call,
	// before the first frame is read from the source.
	OnReady func(ready *pb.StreamReady)
	// SourceNews, if set, carries what a live source says between frames
	// (lost and reconnecting, back) to the server, when it takes such
	// news, and into the summary.
	SourceNews *sourcenews.News
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

// Run streams src to the server until the source ends and every frame sent
// has its result, reconnecting after a broken call as cfg allows. To stop
// a stream gracefully, end its source (see Until): the client then sends
// what it has, half-closes and waits for the results. Cancelling ctx
// abandons the stream at once.
//
// After a reconnection a finite source resumes where the server's output
// stops: frames the server reports done are not sent again, frames sent
// without a result are. A live source goes on with fresh frames; the
// frames lost in between count as Gap. Run returns the summary so far
// together with any error; the error is nil only when the stream completed
// with the server's summary.
func (c *Client) Run(ctx context.Context, src FrameSource, cfg ClientConfig) (*Summary, error) {
	r := newRun(c.rpc, src, cfg)
	defer func() {
		r.sum.Duration = time.Since(r.start)
		r.sum.Dropped = r.feed.Drops()
		if cfg.SourceNews != nil {
			r.sum.SourceReconnects, r.sum.SourceOutage = cfg.SourceNews.Totals()
		}
	}()
	defer r.stopReader()
	return r.sum, r.retry(ctx)
}

// retry runs calls until one completes, reconnecting after a broken call
// as the config allows, and returns the last call's error.
func (r *run) retry(ctx context.Context) error {
	for failures := 0; ; {
		progress, err := r.attempt(ctx)
		if err == nil {
			return nil
		}
		if progress {
			failures = 0
		}
		if wait, ok := r.patience(err); ok {
			if backoff.Sleep(ctx, wait) != nil {
				return err
			}
			continue
		}
		if r.giveUp(ctx, failures, err) {
			return err
		}
		failures++
		if werr := r.waitToReconnect(ctx, failures, err); werr != nil {
			return err
		}
	}
}

// giveUp says whether a call that failed with err after failures failed
// reconnections in a row is the last. A server never reached is not
// retried (patience waits for it as WaitForServer allows).
func (r *run) giveUp(ctx context.Context, failures int, err error) bool {
	return failures >= r.cfg.MaxRetries || !retryable(err) || ctx.Err() != nil || r.neverReached(err)
}

// newRunHeader copies hdr for one run, with a fresh run id unless it has
// one.
func newRunHeader(hdr *pb.StreamHeader) *pb.StreamHeader {
	h := proto.Clone(hdr).(*pb.StreamHeader)
	if h.GetRunId() == "" {
		h.RunId = NewRunID()
	}
	h.QueueUpdates = true // handshake reads StreamQueued
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

// errNoSummary is the error of a call the server ended without its
// summary, which a reconnection may complete.
var errNoSummary = errors.New("stream ended without a summary")

// ErrUnreachable is the error of a call that could not be opened: no
// connection to the server (nothing listening, no route, a failed TLS
// handshake).
var ErrUnreachable = errors.New("cannot reach the server")
