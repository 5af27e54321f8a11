package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// Close releases the stream's resources after the last Commit.
	Close() error
}

// ServerConfig bounds one stream on the server side.
type ServerConfig struct {
	// MaxWindow is the most frames of one stream in flight in the server
	// (received, not yet answered). A client asking for more gets this.
	MaxWindow int
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
// half-closes and every received frame has been answered, or the call
// breaks. It returns nil when the call completed, otherwise an error with
// a gRPC status.
//
// Goroutines: Serve's own goroutine receives; one sender goroutine sends
// ready, results and the summary; one goroutine per frame in flight runs
// Session.Process. At most the granted window of frames is in flight: the
// receiver stops reading (and so HTTP/2 flow control pushes back on the
// client) while the window is full.
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

	// Frames keep being processed and recorded when the call breaks: a
	// frame the server received is never lost, even if its result can no
	// longer be sent.
	procCtx := context.WithoutCancel(ctx)
	order := make(chan pending, window)
	sum := &pb.StreamSummary{}
	sendErr := make(chan error, 1)
	go func() { sendErr <- sendResults(call, sess, order, sum, start) }()

	recvErr := receiveFrames(ctx, call, sess, procCtx, order, sum)
	close(order)
	serr := <-sendErr
	if recvErr != nil {
		return recvErr
	}
	return serr
}

// receiveFrames reads frames until the client half-closes, starting one
// Process per frame and queueing its pending result in arrival order.
func receiveFrames(ctx context.Context, call pb.ImageProcedure_StreamFramesServer, sess Session, procCtx context.Context, order chan<- pending, sum *pb.StreamSummary) error {
	lastSeq := int64(-1)
	for {
		msg, err := call.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
				return err
			}
			return status.Errorf(codes.Canceled, "receive frame: %v", err)
		}
		f := msg.GetFrame()
		if f == nil {
			return status.Error(codes.InvalidArgument, "a stream carries one header, then only frames")
		}
		sum.Received++
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
			go func() { p.done <- sess.Process(procCtx, f) }()
		}
		select {
		case order <- p:
		case <-ctx.Done():
			// The call is gone; the frame is still processed and recorded
			// by the sender, which drains order after we close it.
			order <- p
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// sendResults is the only goroutine that sends on the call after ready. It
// commits and sends results in arrival order, then the summary. After a
// send fails it keeps committing, so that every received frame is recorded.
func sendResults(call pb.ImageProcedure_StreamFramesServer, sess Session, order <-chan pending, sum *pb.StreamSummary, start time.Time) error {
	var sendErr error
	for p := range order {
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
	if sendErr != nil {
		return sendErr
	}
	sum.DurationUs = time.Since(start).Microseconds()
	if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Summary{Summary: sum}}); err != nil {
		return fmt.Errorf("send summary: %w", err)
	}
	return nil
}
