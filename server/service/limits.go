package service

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/admission"
	"github.com/framewire/framewire/server/serving"
)

// limitedHandler opens streams within MaxStreams.
type limitedHandler Service

// Open takes a slot, waiting in the queue for one if need be, then opens
// the stream; the session frees the slot.
func (l *limitedHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	s := (*Service)(l)
	if l.admit == nil {
		return s.open(ctx, hdr)
	}
	if err := l.admit.Acquire(ctx, l.drain, l.queueWatch(ctx, hdr)); err != nil {
		return nil, l.admissionStatus(err)
	}
	sess, err := s.open(ctx, hdr)
	if err != nil {
		l.admit.Release()
		return nil, err
	}
	return &slotSession{Session: sess, release: l.admit.Release}, nil
}

// queueWatch tells the monitor that the stream of the call whose Open got
// ctx joined the queue, and its client each place it gets.
func (l *limitedHandler) queueWatch(ctx context.Context, hdr *pb.StreamHeader) admission.Watch {
	return admission.Watch{
		Entered: func(position int) { l.cfg.Monitor.Queued(ctx, hdr, position) },
		Moved: func(position int) error {
			return serving.TellQueued(ctx, &pb.StreamQueued{Position: int32(position), MaxStreams: int32(l.cfg.MaxStreams)})
		},
	}
}

// fullRetryDelay is how long a stream refused by a full queue is told to
// wait before it tries again.
const fullRetryDelay = 2 * time.Second

// admissionStatus is the gRPC status of a stream that got no slot: a full
// queue is ResourceExhausted with a RetryInfo saying when to try again.
func (l *limitedHandler) admissionStatus(err error) error {
	switch {
	case errors.Is(err, admission.ErrFull):
		st := status.Newf(codes.ResourceExhausted, "the server runs its limit of %d streams and %d more wait for a slot: try again later", l.cfg.MaxStreams, l.cfg.MaxQueued)
		if withHint, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(fullRetryDelay)}); derr == nil {
			st = withHint
		}
		return st.Err()
	case errors.Is(err, admission.ErrDraining):
		return status.Error(codes.Unavailable, "server is shutting down")
	}
	return toStatus(err)
}

// slotSession frees its stream slot when it closes.
type slotSession struct {
	serving.Session
	release func()
}

func (s *slotSession) Close() error {
	defer s.release()
	return s.Session.Close()
}

// Handler opens streams as StreamFrames does (within MaxStreams), for
// callers in the same process.
func (s *Service) Handler() serving.Handler { return (*limitedHandler)(s) }

// Summarize passes the summary on to the session (the embedded interface
// would hide it).
func (s *slotSession) Summarize(sum *pb.StreamSummary) {
	if sz, ok := s.Session.(serving.Summarizer); ok {
		sz.Summarize(sum)
	}
}

// EndSource passes the source's early end on to the session (the
// embedded interface would hide it).
func (s *slotSession) EndSource(end *pb.SourceEnd) error {
	if se, ok := s.Session.(serving.SourceEnder); ok {
		return se.EndSource(end)
	}
	return nil
}

// SourceStatus passes the client's source status on to the session.
func (s *slotSession) SourceStatus(st *pb.SourceStatus) {
	if w, ok := s.Session.(serving.SourceWatcher); ok {
		w.SourceStatus(st)
	}
}
