package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
)

// Handler opens the processing of one stream. It is called once per call,
// from that call's goroutine; implementations must be safe for concurrent
// calls from different streams.
type Handler interface {
	// Open checks the header and prepares the stream's output. An error
	// carrying a gRPC status is sent to the client as it is; any other
	// error becomes InvalidArgument.
	Open(ctx context.Context, hdr *pb.StreamHeader) (Session, error)
}

// Session processes the frames of one stream. It is owned by Serve.
type Session interface {
	// Ready describes what the server already has for this stream (for a
	// resuming client) and the model in use. Called once, before any frame.
	Ready() *pb.StreamReady
	// Process turns one frame into its result. It is called concurrently
	// for up to the stream's window of frames and must never return nil:
	// a frame that cannot be processed gets FrameResult.Error.
	Process(ctx context.Context, f *pb.Frame) *pb.FrameResult
	// Commit records a processed result. It is called from one goroutine,
	// in the order the frames arrived.
	Commit(r *pb.FrameResult) error
	// Close releases the stream's resources after the last Commit and
	// after every Process has returned.
	Close() error
}

// ServerConfig bounds one stream on the server side.
type ServerConfig struct {
	// MaxWindow is the most frames of one stream in flight in the server
	// (received, not yet answered). A client asking for more gets this.
	MaxWindow int
	// IdleTimeout ends a stream that sends no message for this long with
	// DeadlineExceeded (0 = never).
	IdleTimeout time.Duration
	// Drain, when closed, makes every stream finish the frames it has
	// received, send their results and end with Unavailable, so that the
	// client reconnects elsewhere or later. Nil means never.
	Drain <-chan struct{}
}

// DefaultMaxWindow is the in-flight bound per stream when none is set.
const DefaultMaxWindow = 8

// pending is one received frame whose result will arrive on done.
type pending struct {
	done chan *pb.FrameResult
	// commit is false for frames the stream layer itself rejected
	// (their result is sent but not recorded).
	commit bool
}

// Serve runs the server side of one StreamFrames call until the client
// half-closes and every received frame has been answered, the server
// drains, the stream idles out, or the call breaks. It returns nil when
// the call completed, otherwise an error with a gRPC status.
//
// Goroutines: Serve's goroutine sends (ready, results in arrival order,
// the summary); one receiver goroutine reads frames; one goroutine per
// frame in flight runs Session.Process. At most the granted window of
// frames is in flight: the receiver stops reading (and so HTTP/2 flow
// control pushes back on the client) while the window is full. Serve
// returns only after every Process it started has returned; the receiver
// may outlive it until the call's context ends, touching nothing else.
func Serve(call pb.ImageProcedure_StreamFramesServer, h Handler, cfg ServerConfig) error {
	start := time.Now()
	ctx := call.Context()
	first, err := call.Recv()
	if err != nil {
		return status.Errorf(codes.Canceled, "receive stream header: %v", err)
	}
	hdr := first.GetHeader()
	if hdr == nil {
		return status.Error(codes.InvalidArgument, "the first message of a stream must be a header")
	}
	sess, err := h.Open(ctx, hdr)
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return err
		}
		return status.Error(codes.InvalidArgument, err.Error())
	}
	defer sess.Close()

	window := int(hdr.GetWindow())
	maxWindow := cfg.MaxWindow
	if maxWindow <= 0 {
		maxWindow = DefaultMaxWindow
	}
	if window <= 0 || window > maxWindow {
		window = maxWindow
	}
	ready := sess.Ready()
	ready.Window = int32(window)
	if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Ready{Ready: ready}}); err != nil {
		return fmt.Errorf("send ready: %w", err)
	}

	r := &receiver{
		call: call, sess: sess,
		// Frames keep being processed and recorded when the call breaks:
		// a frame the server took is never lost, even if its result can
		// no longer be sent.
		procCtx: context.WithoutCancel(ctx),
		order:   make(chan pending, window),
		stop:    make(chan struct{}),
		idle:    cfg.IdleTimeout,
	}
	go r.run()
	sum := &pb.StreamSummary{}
	err = sendResults(call, sess, r.order, r.stop, cfg.Drain, sum)
	r.halt()
	if err == nil {
		err = r.err // set before order was closed
	}
	if err != nil {
		return err
	}
	sum.Received = r.received.Load()
	sum.DurationUs = time.Since(start).Microseconds()
	if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Summary{Summary: sum}}); err != nil {
		return fmt.Errorf("send summary: %w", err)
	}
	return nil
}

// receiver reads one call's frames and starts their processing.
type receiver struct {
	call    pb.ImageProcedure_StreamFramesServer
	sess    Session
	procCtx context.Context
	order   chan pending  // arrival order; closed when the client is done
	stop    chan struct{} // closed on idle timeout
	idle    time.Duration

	received atomic.Int64
	err      error // why receiving ended early; read after order is closed

	mu       sync.Mutex
	halted   bool
	inflight sync.WaitGroup
}

// run receives until the client half-closes, the call breaks or Serve
// halts, then closes order (unless halted).
func (r *receiver) run() {
	var idle *time.Timer
	if r.idle > 0 {
		idle = time.AfterFunc(r.idle, func() { r.fail(status.Errorf(codes.DeadlineExceeded, "no message for %v: stream closed", r.idle)) })
		defer idle.Stop()
	}
	lastSeq := int64(-1)
	for {
		msg, err := r.call.Recv()
		if idle != nil && !idle.Stop() {
			return // timed out meanwhile
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
					r.fail(err)
				} else {
					r.fail(status.Errorf(codes.Canceled, "receive frame: %v", err))
				}
				return
			}
			r.mu.Lock()
			if !r.halted {
				close(r.order)
			}
			r.mu.Unlock()
			return
		}
		f := msg.GetFrame()
		if f == nil {
			r.fail(status.Error(codes.InvalidArgument, "a stream carries one header, then only frames"))
			return
		}
		r.received.Add(1)
		p := pending{done: make(chan *pb.FrameResult, 1), commit: true}
		if f.GetSeq() <= lastSeq {
			p.commit = false
			p.done <- &pb.FrameResult{
				Seq:             f.GetSeq(),
				CaptureUnixNano: f.GetCaptureUnixNano(),
				Error:           fmt.Sprintf("sequence number %d is not above the previous %d: frame ignored", f.GetSeq(), lastSeq),
			}
		} else {
			lastSeq = f.GetSeq()
			if !r.start(p, f) {
				return
			}
		}
		select {
		case r.order <- p:
		case <-r.stop:
			return
		}
		if idle != nil {
			idle.Reset(r.idle)
		}
	}
}

// start runs Process for f unless Serve has halted.
func (r *receiver) start(p pending, f *pb.Frame) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halted {
		return false
	}
	r.inflight.Add(1)
	go func() {
		defer r.inflight.Done()
		p.done <- r.sess.Process(r.procCtx, f)
	}()
	return true
}

// fail ends receiving with err: Serve sends what is queued, then err.
func (r *receiver) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halted || r.err != nil {
		return
	}
	r.err = err
	close(r.stop)
}

// halt stops the receiver from starting more work and waits for every
// Process it started.
func (r *receiver) halt() {
	r.mu.Lock()
	r.halted = true
	if r.err == nil {
		select {
		case <-r.stop:
		default:
			close(r.stop)
		}
	}
	r.mu.Unlock()
	r.inflight.Wait()
}

// sendResults commits and sends results in arrival order until order is
// closed. When stop or drain closes, it finishes the frames already
// queued and returns (Unavailable for a drain). After a send fails it
// keeps committing, so that every frame taken is recorded.
func sendResults(call pb.ImageProcedure_StreamFramesServer, sess Session, order <-chan pending, stop, drain <-chan struct{}, sum *pb.StreamSummary) error {
	var sendErr error
	send := func(p pending) {
		r := <-p.done
		if p.commit {
			if err := sess.Commit(r); err != nil && r.Error == "" {
				r.Error = fmt.Sprintf("record result: %v", err)
			}
		}
		if r.Error != "" {
			sum.Failed++
		} else {
			sum.Processed++
		}
		if sendErr == nil {
			if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Result{Result: r}}); err != nil {
				sendErr = fmt.Errorf("send result %d: %w", r.Seq, err)
			}
		}
	}
	// flush sends what is queued now, without waiting for more.
	flush := func() {
		for {
			select {
			case p, ok := <-order:
				if !ok {
					return
				}
				send(p)
			default:
				return
			}
		}
	}
	for {
		select {
		case p, ok := <-order:
			if !ok {
				return sendErr
			}
			send(p)
		case <-stop:
			flush()
			if sendErr != nil {
				return sendErr
			}
			return nil // the receiver's error says why
		case <-drain:
			flush()
			if sendErr != nil {
				return sendErr
			}
			return status.Error(codes.Unavailable, "server is shutting down: reconnect to resume")
		}
	}
}
