package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/shmout"
	"github.com/framewire/framewire/stream/sourcenews"
)

// attempt runs one call. progress says whether any result arrived.
func (r *run) attempt(ctx context.Context) (progress bool, err error) {
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	call, ready, err := r.open(callCtx)
	if err != nil {
		return false, err
	}
	return r.exchange(callCtx, cancel, call, ready)
}

// open starts a call and its handshake, and the reader the first time.
func (r *run) open(ctx context.Context) (pb.ImageProcedure_StreamFramesClient, *pb.StreamReady, error) {
	call, err := r.rpc.StreamFrames(ctx)
	if err != nil {
		// The server's own refusals come with its answer, never here.
		return nil, nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	ready, err := r.handshake(call)
	if err != nil {
		return nil, nil, err
	}
	if r.readerDone == nil {
		if err := r.startReader(ready.GetDone()); err != nil {
			return nil, nil, err
		}
	}
	return call, ready, nil
}

// exchange sends frames (one goroutine) and receives their results (this
// one) until the call ends; credits keep the window.
func (r *run) exchange(ctx context.Context, cancel context.CancelFunc, call pb.ImageProcedure_StreamFramesClient, ready *pb.StreamReady) (bool, error) {
	done := r.doneSeqs(ready)
	credits := newCredits(int(ready.GetWindow()))
	resend := r.takeResend(done)
	sendCall, newsDone := r.news(ready).Attach(ctx, call)
	shared := r.openShared(ready)
	sendDone := make(chan error, 1)
	go func() { sendDone <- r.send(ctx, sendCall, credits, resend, done, shared) }()
	progress, err := r.receive(call, credits)
	if err != nil {
		cancel()
	}
	sendErr := <-sendDone
	r.sum.SharedFrames += shared.Sent()
	shared.Close()
	cancel() // the call is over: this ends the news sender
	<-newsDone
	return progress, firstError(err, sendErr, r.feed.ReadErr())
}

// news is the source's news to send in a call, nil when the server does
// not take it.
func (r *run) news(ready *pb.StreamReady) *sourcenews.News {
	if !ready.GetSourceStatus() {
		return nil
	}
	return r.cfg.SourceNews
}

// doneSeqs are the frames the server reports done, none for a live run.
func (r *run) doneSeqs(ready *pb.StreamReady) seqSet {
	if r.sum.Live {
		return nil // a live run's frames are all new
	}
	return seqSet(ready.GetDone())
}

// newCredits is a full window of window credits (at least one).
func newCredits(window int) chan struct{} {
	window = max(window, 1)
	credits := make(chan struct{}, window)
	for range window {
		credits <- struct{}{}
	}
	return credits
}

// firstError is the first of errs that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// takeResend returns the frames sent last time without a result, less
// those the server reports done, and clears unacked.
func (r *run) takeResend(done seqSet) []*pb.Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	resend := slices.DeleteFunc(r.unacked, func(f *pb.Frame) bool { return done.has(f.GetSeq()) })
	r.sum.Skipped += int64(len(r.unacked) - len(resend)) // DeleteFunc shortened it in place
	r.unacked = nil
	return resend
}

// handshake sends the header and reads the server's ready. Later calls
// of the run use the name the server chose and resume this run.
func (r *run) handshake(call pb.ImageProcedure_StreamFramesClient) (*pb.StreamReady, error) {
	if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: r.hdr}}); err != nil {
		return nil, fmt.Errorf("send stream header: %w", recvErr(call, err))
	}
	ready, err := r.readReady(call)
	if err != nil {
		return nil, err
	}
	r.adopt(ready)
	return ready, nil
}

// readReady reads the server's answer to the header, which must be ready,
// after the stream's places in the server's queue if it waits for a slot.
func (r *run) readReady(call pb.ImageProcedure_StreamFramesClient) (*pb.StreamReady, error) {
	for {
		msg, err := call.Recv()
		if err != nil {
			return nil, fmt.Errorf("stream %q refused: %w", r.hdr.GetName(), err)
		}
		if q := msg.GetQueued(); q != nil {
			if r.cfg.OnQueued != nil {
				r.cfg.OnQueued(q)
			}
			continue
		}
		if ready := msg.GetReady(); ready != nil {
			return ready, nil
		}
		return nil, errors.New("server did not answer the header with ready")
	}
}

// adopt keeps the first ready for the summary, makes the header of
// later calls resume the stream under the server's name, and tells
// OnReady.
func (r *run) adopt(ready *pb.StreamReady) {
	if r.sum.Ready == nil {
		r.sum.Ready = ready
	}
	if ready.GetName() != "" {
		r.hdr.Name = ready.GetName()
	}
	r.hdr.Exist = pb.ExistPolicy_EXIST_RESUME
	if r.cfg.OnReady != nil {
		r.cfg.OnReady(ready)
	}
}

// send is the only goroutine that sends frames in a call: first resend,
// then one frame from the feed per credit, skipping frames in done,
// through shared memory when the call has it; at the end of the feed it
// half-closes the call, after a SourceEnd when the source ended early.
func (r *run) send(ctx context.Context, call pb.ImageProcedure_StreamFramesClient, credits <-chan struct{}, resend []*pb.Frame, done seqSet, shared *shmout.Writer) error {
	for waitCredit(ctx, credits) {
		var f *pb.Frame
		f, resend = r.nextToSend(ctx, resend, done)
		if f == nil {
			return r.finish(ctx, call)
		}
		r.markSent(f)
		if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: shared.Frame(f)}}); err != nil {
			return nil // the receiver sees why the call broke
		}
	}
	return nil
}

// waitCredit waits for the window to have room; false when ctx ends.
func waitCredit(ctx context.Context, credits <-chan struct{}) bool {
	select {
	case <-credits:
		return true
	case <-ctx.Done():
		return false
	}
}

// markSent counts f as sent once it is handed to the call: if the call
// breaks now, f stays unacked and is resent (a file) or counted in the
// gap (live).
func (r *run) markSent(f *pb.Frame) {
	r.mu.Lock()
	r.unacked = append(r.unacked, f)
	r.mu.Unlock()
	r.sum.Sent++
}

// nextToSend is the next frame to resend, or the next from the feed that
// is not done; nil at the feed's end.
func (r *run) nextToSend(ctx context.Context, resend []*pb.Frame, done seqSet) (*pb.Frame, []*pb.Frame) {
	if len(resend) > 0 {
		r.sum.Resent++
		return resend[0], resend[1:]
	}
	return r.nextNew(ctx, done), nil
}

// nextNew is the next frame from the feed that is not in done, counting
// those that are as skipped; nil at the feed's end.
func (r *run) nextNew(ctx context.Context, done seqSet) *pb.Frame {
	f := r.feed.Next(ctx)
	for f != nil && done.has(f.GetSeq()) {
		r.sum.Skipped++
		f = r.feed.Next(ctx)
	}
	return f
}

// finish tells the server how the source ended, when it ended before the
// frames it declared, and half-closes the call.
func (r *run) finish(ctx context.Context, call pb.ImageProcedure_StreamFramesClient) error {
	end := sourceEnd(r.feed.ReadErr())
	if end != nil && ctx.Err() == nil {
		if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_End{End: end}}); err != nil {
			return nil // the receiver sees why the call broke
		}
	}
	return halfClose(ctx, call)
}

// halfClose ends the sending side of the call, unless it is abandoned.
func halfClose(ctx context.Context, call pb.ImageProcedure_StreamFramesClient) error {
	if ctx.Err() != nil {
		return nil
	}
	if err := call.CloseSend(); err != nil {
		return fmt.Errorf("half-close stream: %w", err)
	}
	return nil
}

// receive reads results until the server ends the call, giving a credit
// back for each one.
func (r *run) receive(call pb.ImageProcedure_StreamFramesClient, credits chan<- struct{}) (progress bool, err error) {
	var gotSummary bool
	for {
		msg, err := call.Recv()
		if err != nil {
			return progress, callEnd(err, gotSummary)
		}
		isResult, err := r.handle(msg, credits)
		if err != nil {
			return progress, err
		}
		progress = progress || isResult
		gotSummary = gotSummary || !isResult
	}
}

// callEnd is receive's error when Recv failed with err: none when the
// server ended the call after its summary.
func callEnd(err error, gotSummary bool) error {
	switch {
	case errors.Is(err, io.EOF) && !gotSummary:
		return errNoSummary
	case errors.Is(err, io.EOF):
		return nil
	}
	return fmt.Errorf("stream broken: %w", err)
}

// handle takes one message from the server, a result or the summary;
// isResult says which.
func (r *run) handle(msg *pb.StreamResponse, credits chan<- struct{}) (isResult bool, err error) {
	switch m := msg.Msg.(type) {
	case *pb.StreamResponse_Result:
		r.result(m.Result, credits)
		return true, nil
	case *pb.StreamResponse_Summary:
		r.sum.Server = m.Summary
		return false, nil
	}
	return false, fmt.Errorf("unexpected message %T from server", msg.Msg)
}

// result acknowledges the oldest unacked frame, returns its credit and
// counts and reports res; a frame the server dropped is only counted.
func (r *run) result(res *pb.FrameResult, credits chan<- struct{}) {
	r.recycle(r.ack())
	giveCredit(credits)
	lat := time.Duration(time.Now().UnixNano() - res.GetCaptureUnixNano())
	if !r.sum.count(res) {
		return
	}
	r.sum.Latency.Add(lat)
	if r.cfg.OnResult != nil {
		r.cfg.OnResult(res, lat)
	}
}

// ack drops the oldest unacked frame, whose result arrived, and returns
// it; nil when there is none.
func (r *run) ack() *pb.Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.unacked) == 0 {
		return nil
	}
	f := r.unacked[0]
	r.unacked = r.unacked[1:]
	return f
}

// recycle gives the bytes of a frame never read again (answered, or
// dropped unsent) back to a source that reuses them.
func (r *run) recycle(f *pb.Frame) {
	if rc, ok := r.src.(Recycler); ok && f != nil {
		rc.Recycle(f)
	}
}

// giveCredit returns one credit to the window, unless it is full.
func giveCredit(credits chan<- struct{}) {
	select {
	case credits <- struct{}{}:
	default:
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
