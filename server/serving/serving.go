// Package serving owns the server end of the long-lived StreamFrames call:
// the header handshake, bounded in-flight frames, results in arrival order,
// drain, idle and header deadlines, the memory a local client shares its
// frames through, and the summary. It does not touch pixels: frames are
// opaque bytes handed to a Session.
package serving

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/internal/shm"
	pb "github.com/framewire/framewire/proto"
)

// Handler opens the processing of one stream. It is called once per call,
// from that call's goroutine; implementations must be safe for concurrent
// calls from different streams.
type Handler interface {
	// Open checks the header and prepares the stream's output. It may
	// wait for the server's room to run the stream, telling the client
	// with TellQueued. An error carrying a gRPC status is sent to the
	// client as it is; any other error becomes InvalidArgument.
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
	// Evicted is closed when a newer call of the same run takes the stream
	// over (the client reconnected while this call still looked alive).
	// Nil means never.
	Evicted() <-chan struct{}
	// Close releases the stream's resources after the last Commit and
	// after every Process has returned.
	Close() error
}

// Summarizer is a Session that adds its own counts (such as distinct
// tracks) to the stream's summary; Serve calls Summarize once, after the
// last Commit and before the summary is sent.
type Summarizer interface {
	Summarize(sum *pb.StreamSummary)
}

// SourceEnder is a Session that records that the client's source ended
// before the frames it declared (a StreamRequest's end). Serve calls
// EndSource from the goroutine that commits, after the frames received
// before it are committed; an error it returns ends the call as it is,
// so it should be a gRPC status.
type SourceEnder interface {
	EndSource(end *pb.SourceEnd) error
}

// SourceWatcher is a Session that is told how the client's live source
// is doing between frames (SourceStatus messages). SourceStatus is called
// from the call's receiver goroutine, in the order the client sent them,
// and must return quickly.
type SourceWatcher interface {
	SourceStatus(st *pb.SourceStatus)
}

// Config bounds one stream on the server side.
type Config struct {
	// MaxWindow is the most frames of one stream in flight in the server
	// (received, not yet answered). A client asking for more gets this.
	MaxWindow int
	// IdleTimeout ends a stream that sends no message for this long with
	// DeadlineExceeded (0 = never).
	IdleTimeout time.Duration
	// HeaderTimeout ends a call that sends no header for this long with
	// DeadlineExceeded (0 = never).
	HeaderTimeout time.Duration
	// Drain, when closed, makes every stream stop taking frames at once,
	// finish the frames it has taken, send their results and end with
	// Unavailable, so that the client reconnects elsewhere or later and
	// sends again what was not taken. Nil means never.
	Drain <-chan struct{}
	// SharedSlotBytes is the largest frame a client on this machine may
	// write into memory shared with the server, when its header asks for
	// such memory (0 = never: frames come in their messages).
	SharedSlotBytes int64
}

// DefaultMaxWindow is the in-flight bound per stream when none is set.
const DefaultMaxWindow = 8

// pending is one taken frame whose result will arrive on done.
type pending struct {
	done chan *pb.FrameResult
	// commit is false for frames the stream layer itself rejected
	// (their result is sent but not recorded).
	commit bool
	// end, when set, is the source's early end instead of a frame.
	end *pb.SourceEnd
}

// Serve runs the server side of one StreamFrames call until the client
// half-closes and every received frame has been answered, the server
// drains, the stream idles out, a newer call of the same run takes over,
// or the call breaks. It returns nil when the call completed, otherwise an
// error with a gRPC status.
//
// Goroutines: Serve's goroutine sends (ready, results in arrival order,
// the summary); one receiver goroutine reads frames; one goroutine per
// frame in flight runs Session.Process. At most the granted window of
// frames is taken and unanswered: the receiver reads the next frame only
// when a slot is free (so HTTP/2 flow control pushes back on the client).
// Serve returns only after every Process it started has returned; the
// receiver may outlive it until the call's context ends, touching nothing
// else.
func Serve(call pb.ImageProcedure_StreamFramesServer, h Handler, cfg Config) error {
	start := time.Now()
	sess, hdr, err := openSession(call, h, cfg.HeaderTimeout)
	if err != nil {
		return err
	}
	defer sess.Close()
	window := grantWindow(hdr.GetWindow(), cfg.MaxWindow)
	shared := openShared(hdr, window, localSlotBytes(call, cfg.SharedSlotBytes))
	if err := sendReady(call, sess, window, shared); err != nil {
		shared.Close()
		return err
	}
	sum, err := serveFrames(call, sess, window, shared, cfg)
	shared.Close() // the receiver halted and every Process returned: before the summary
	if err != nil {
		return err
	}
	return sendSummary(call, sess, sum, start)
}

// openSession receives the call's header and opens its stream with h.
func openSession(call pb.ImageProcedure_StreamFramesServer, h Handler, timeout time.Duration) (Session, *pb.StreamHeader, error) {
	hdr, err := recvHeader(call, timeout)
	if err != nil {
		return nil, nil, err
	}
	sess, err := h.Open(withQueueTeller(call, hdr), hdr)
	if err != nil {
		return nil, nil, openStatus(err)
	}
	return sess, hdr, nil
}

// openStatus is a refusal from Handler.Open with a gRPC status: its own,
// else InvalidArgument.
func openStatus(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.InvalidArgument, err.Error())
}

// sendReady answers the header with the session's Ready, the granted
// window and the call's shared memory.
func sendReady(call pb.ImageProcedure_StreamFramesServer, sess Session, window int, shared *shm.Slots) error {
	ready := sess.Ready()
	ready.Window = int32(window)
	ready.SharedMemory = sharedMemory(shared)
	ready.SourceStatus = true
	if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Ready{Ready: ready}}); err != nil {
		return fmt.Errorf("send ready: %w", err)
	}
	return nil
}

// sendSummary completes sum (duration, the session's own counts) and
// sends it as the call's last message.
func sendSummary(call pb.ImageProcedure_StreamFramesServer, sess Session, sum *pb.StreamSummary, start time.Time) error {
	sum.DurationUs = time.Since(start).Microseconds()
	if sz, ok := sess.(Summarizer); ok {
		sz.Summarize(sum)
	}
	if err := call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Summary{Summary: sum}}); err != nil {
		return fmt.Errorf("send summary: %w", err)
	}
	return nil
}

// recvHeader waits up to timeout (0 = no limit) for the call's first
// message, which must be a header. The goroutine that receives ends when
// the call does.
func recvHeader(call pb.ImageProcedure_StreamFramesServer, timeout time.Duration) (*pb.StreamHeader, error) {
	got := recvAsync(call)
	expired, stop := deadline(timeout)
	defer stop()
	select {
	case g := <-got:
		return headerOf(g)
	case <-expired:
		return nil, status.Errorf(codes.DeadlineExceeded, "no stream header within %v: call closed", timeout)
	}
}

// received is the outcome of one Recv.
type received struct {
	msg *pb.StreamRequest
	err error
}

// recvAsync receives one message in a goroutine of its own, which ends
// when the call does.
func recvAsync(call pb.ImageProcedure_StreamFramesServer) <-chan received {
	got := make(chan received, 1)
	go func() {
		msg, err := call.Recv()
		got <- received{msg, err}
	}()
	return got
}

// deadline is a channel that fires after timeout (never for 0) and the
// function that stops its timer.
func deadline(timeout time.Duration) (<-chan time.Time, func()) {
	if timeout <= 0 {
		return nil, func() {}
	}
	t := time.NewTimer(timeout)
	return t.C, func() { t.Stop() }
}

// headerOf is the header a call's first message must be.
func headerOf(g received) (*pb.StreamHeader, error) {
	if g.err != nil {
		return nil, status.Errorf(codes.Canceled, "receive stream header: %v", g.err)
	}
	if g.msg.GetHeader() == nil {
		return nil, status.Error(codes.InvalidArgument, "the first message of a stream must be a header")
	}
	return g.msg.GetHeader(), nil
}

// grantWindow bounds the client's requested window by the server's.
func grantWindow(asked int32, maxWindow int) int {
	if maxWindow <= 0 {
		maxWindow = DefaultMaxWindow
	}
	if asked <= 0 || int(asked) > maxWindow {
		return maxWindow
	}
	return int(asked)
}

// serveFrames runs the receiver and sends results until the stream ends.
func serveFrames(call pb.ImageProcedure_StreamFramesServer, sess Session, window int, shared *shm.Slots, cfg Config) (*pb.StreamSummary, error) {
	r := newReceiver(call, sess, window, cfg)
	r.shared = shared
	go r.run()
	sum := &pb.StreamSummary{}
	err := r.sendResults(sum)
	r.halt()
	r.inflight.Wait()
	if err == nil {
		err = r.failure() // set before order was closed
	}
	sum.Received = r.received.Load()
	return sum, err
}

// newReceiver makes the receiver of one call with room for window frames.
func newReceiver(call pb.ImageProcedure_StreamFramesServer, sess Session, window int, cfg Config) *receiver {
	return &receiver{
		call: call, sess: sess,
		// Frames keep being processed and recorded when the call breaks:
		// a frame the server took is never lost, even if its result can
		// no longer be sent.
		procCtx: context.WithoutCancel(call.Context()),
		order:   make(chan pending, window),
		slots:   make(chan struct{}, window),
		stop:    make(chan struct{}),
		drain:   cfg.Drain,
		evicted: sess.Evicted(),
		idle:    cfg.IdleTimeout,
	}
}

// receiver reads one call's frames and starts their processing.
type receiver struct {
	call    pb.ImageProcedure_StreamFramesServer
	sess    Session
	procCtx context.Context
	order   chan pending  // taken frames in arrival order; closed when the client is done
	slots   chan struct{} // one per taken frame not yet answered
	stop    chan struct{} // closed when receiving failed (idle timeout, broken call)
	drain   <-chan struct{}
	evicted <-chan struct{}
	idle    time.Duration
	shared  *shm.Slots // the call's shared memory, read under mu until halted; nil for none

	received atomic.Int64

	mu       sync.Mutex
	err      error // why receiving ended early
	halted   bool  // no frame is taken any more
	inflight sync.WaitGroup
}

// run receives until the client half-closes, the call breaks or the
// stream halts, then closes order (unless halted).
func (r *receiver) run() {
	idle := r.startIdleTimer()
	if idle != nil {
		defer idle.Stop()
	}
	lastSeq := int64(-1)
	for r.waitSlot() && r.receiveOne(idle, &lastSeq) {
	}
}

// startIdleTimer arms the idle timeout, which fails the stream; nil when
// there is none.
func (r *receiver) startIdleTimer() *time.Timer {
	if r.idle <= 0 {
		return nil
	}
	return time.AfterFunc(r.idle, func() { r.fail(status.Errorf(codes.DeadlineExceeded, "no message for %v: stream closed", r.idle)) })
}

// waitSlot waits until a frame may be taken; false when the stream stopped.
func (r *receiver) waitSlot() bool {
	select {
	case r.slots <- struct{}{}:
		return true
	case <-r.stop:
		return false
	}
}

// receiveOne receives one message and takes its frame, or passes on its
// source status and frees the slot it waited for; false when receiving
// ends.
func (r *receiver) receiveOne(idle *time.Timer, lastSeq *int64) bool {
	msg, err := r.call.Recv()
	if idle != nil && !idle.Stop() {
		return false // timed out meanwhile
	}
	if !r.takeMessage(msg, err, lastSeq) {
		return false
	}
	if idle != nil {
		idle.Reset(r.idle)
	}
	return true
}

// takeMessage passes on msg's source status, takes its early end or
// takes its frame; false when receiving ends.
func (r *receiver) takeMessage(msg *pb.StreamRequest, err error, lastSeq *int64) bool {
	if st := msg.GetSourceStatus(); err == nil && st != nil {
		r.sourceStatus(st)
		return true
	}
	if end := msg.GetEnd(); err == nil && end != nil {
		return r.takeEnd(end)
	}
	f := r.frameOf(msg, err)
	return f != nil && r.take(f, lastSeq)
}

// sourceStatus tells the session st, when it watches its source, and
// gives back the slot the message took.
func (r *receiver) sourceStatus(st *pb.SourceStatus) {
	if w, ok := r.sess.(SourceWatcher); ok {
		w.SourceStatus(st)
	}
	<-r.slots
}

// frameOf is the frame msg carries and counts it as received; nil (and
// receiving ended) when Recv failed or msg is not a frame.
func (r *receiver) frameOf(msg *pb.StreamRequest, err error) *pb.Frame {
	if err != nil {
		r.endReceiving(err)
		return nil
	}
	f := msg.GetFrame()
	if f == nil {
		r.fail(status.Error(codes.InvalidArgument, "a stream carries one header, then only frames, source statuses and an end"))
		return nil
	}
	r.received.Add(1)
	return f
}

// endReceiving handles the error that ended Recv: io.EOF is the client's
// half-close, anything else a broken call.
func (r *receiver) endReceiving(err error) {
	if !errors.Is(err, io.EOF) {
		r.fail(recvStatus(err))
		return
	}
	r.mu.Lock()
	if !r.halted {
		close(r.order)
	}
	r.mu.Unlock()
}

// recvStatus is a broken call's Recv error with a gRPC status: its own,
// else Canceled.
func recvStatus(err error) error {
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
		return err
	}
	return status.Errorf(codes.Canceled, "receive frame: %v", err)
}

// take starts Process for f and queues it, unless the stream has halted
// or is draining (then f is not taken: the client sends it again after
// reconnecting). A frame whose sequence number does not grow gets an
// error result without being processed. The caller holds a slot, so the
// queue has room.
func (r *receiver) take(f *pb.Frame, lastSeq *int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halted || closed(r.drain) || closed(r.evicted) {
		return false
	}
	if f.GetSeq() <= *lastSeq {
		r.order <- outOfOrder(f, *lastSeq)
		return true
	}
	*lastSeq = f.GetSeq()
	if err := unshare(f, r.shared); err != nil {
		r.order <- ignored(f, fmt.Sprintf("frame ignored: %v", err))
		return true
	}
	r.order <- r.startProcess(f)
	return true
}

// takeEnd queues the source's early end behind the frames taken before
// it, unless the stream has halted or is draining (a reconnecting client
// sends it again). The caller holds a slot.
func (r *receiver) takeEnd(end *pb.SourceEnd) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halted || closed(r.drain) || closed(r.evicted) {
		return false
	}
	r.order <- pending{end: end}
	return true
}

// outOfOrder is the already answered pending of a frame whose sequence
// number does not grow.
func outOfOrder(f *pb.Frame, lastSeq int64) pending {
	return ignored(f, fmt.Sprintf("sequence number %d is not above the previous %d: frame ignored", f.GetSeq(), lastSeq))
}

// ignored is the already answered pending of a frame the stream layer
// itself rejects: an invalid frame saying why, not recorded.
func ignored(f *pb.Frame, why string) pending {
	p := pending{done: make(chan *pb.FrameResult, 1)}
	p.done <- &pb.FrameResult{
		Seq:             f.GetSeq(),
		CaptureUnixNano: f.GetCaptureUnixNano(),
		Status:          pb.FrameStatus_FRAME_INVALID,
		Error:           why,
	}
	return p
}

// startProcess runs Process for f in a goroutine of its own; its result
// arrives on the pending's done.
func (r *receiver) startProcess(f *pb.Frame) pending {
	p := pending{done: make(chan *pb.FrameResult, 1), commit: true}
	r.inflight.Add(1)
	go func() {
		defer r.inflight.Done()
		p.done <- safeProcess(r.procCtx, r.sess, f)
	}()
	return p
}

// closed reports whether ch is closed; a nil ch never is.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
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

func (r *receiver) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// halt stops the receiver from taking more frames. Every frame taken
// before is in order.
func (r *receiver) halt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.halted = true
	if r.err == nil && !closed(r.stop) {
		close(r.stop)
	}
}

// sendResults commits and sends results in arrival order until order is
// closed. When receiving fails, the server drains or a newer call takes
// over, it halts the receiver, finishes the frames already taken and
// returns (Unavailable for a drain, Aborted for a takeover). After a send
// fails it keeps committing, so that every frame taken is recorded.
func (r *receiver) sendResults(sum *pb.StreamSummary) error {
	out := resultSender{call: r.call, sess: r.sess, sum: sum, slots: r.slots}
	for {
		select {
		case p, ok := <-r.order:
			if !ok {
				return cmp.Or(out.err, out.endErr)
			}
			out.send(p)
			continue
		case <-r.stop:
		case <-r.drain:
		case <-r.evicted:
		}
		r.halt()
		r.finishTaken(&out)
		return r.endStatus(out.err)
	}
}

// finishTaken sends the results of every frame taken; call after halt.
func (r *receiver) finishTaken(out *resultSender) {
	for {
		select {
		case p, ok := <-r.order:
			if !ok {
				return
			}
			out.send(p)
		default:
			return
		}
	}
}

// endStatus says why a halted stream ended: a failed send, then a drain
// or takeover; nil leaves the receiver's error to say it.
func (r *receiver) endStatus(sendErr error) error {
	switch {
	case sendErr != nil:
		return sendErr
	case closed(r.drain):
		return status.Error(codes.Unavailable, "server is shutting down: reconnect to resume")
	case closed(r.evicted):
		return status.Error(codes.Aborted, "a newer call of the same run took this stream over")
	}
	return nil
}

// resultSender commits and sends results and counts them.
type resultSender struct {
	call  pb.ImageProcedure_StreamFramesServer
	sess  Session
	sum   *pb.StreamSummary
	slots <-chan struct{}
	err   error // the first failed send; later results are only committed
	// endErr says the source's early end could not be recorded.
	endErr error
}

// send waits for p's result, commits it, counts it and sends it; a
// source's early end is recorded instead.
func (s *resultSender) send(p pending) {
	if p.end != nil {
		s.recordEnd(p.end)
		<-s.slots
		return
	}
	r := <-p.done
	if p.commit {
		if err := safeCommit(s.sess, r); err != nil {
			notRecorded(r, fmt.Errorf("record result: %w", err))
		}
	}
	s.count(r)
	<-s.slots
	if s.err == nil {
		if err := s.call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Result{Result: r}}); err != nil {
			s.err = fmt.Errorf("send result %d: %w", r.Seq, err)
		}
	}
}

// recordEnd has the session record the source's early end, when it
// records such ends; its error is a status, made by the session.
func (s *resultSender) recordEnd(end *pb.SourceEnd) {
	se, ok := s.sess.(SourceEnder)
	if !ok {
		return
	}
	if err := se.EndSource(end); err != nil && s.endErr == nil {
		s.endErr = err // the session says it as a status
	}
}

func (s *resultSender) count(r *pb.FrameResult) {
	switch {
	case r.GetStatus() == pb.FrameStatus_FRAME_DROPPED:
		s.sum.Dropped++
	case r.GetError() == "":
		s.sum.Processed++
	case r.GetStatus() == pb.FrameStatus_FRAME_NOT_RECORDED:
		s.sum.Failed++
		s.sum.NotRecorded++
	default:
		s.sum.Failed++
	}
}

// notRecorded marks r as a server failure: nothing of it was recorded.
func notRecorded(r *pb.FrameResult, err error) {
	r.Status = pb.FrameStatus_FRAME_NOT_RECORDED
	if r.Error == "" {
		r.Error = err.Error()
	} else {
		r.Error += "; " + err.Error()
	}
}

// safeProcess is sess.Process, with a panic turned into a server failure
// of that frame: a bug in one frame's processing takes down neither the
// stream nor the server.
func safeProcess(ctx context.Context, sess Session, f *pb.Frame) (r *pb.FrameResult) {
	defer func() {
		if p := recover(); p != nil {
			r = &pb.FrameResult{Seq: f.GetSeq(), CaptureUnixNano: f.GetCaptureUnixNano()}
			notRecorded(r, fmt.Errorf("internal error processing frame %d: %v", f.GetSeq(), p))
		}
	}()
	return sess.Process(ctx, f)
}

// safeCommit is sess.Commit, with a panic turned into an error.
func safeCommit(sess Session, r *pb.FrameResult) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error recording frame %d: %v", r.GetSeq(), p)
		}
	}()
	return sess.Commit(r)
}
