package service

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/serving"
)

// limitedHandler opens streams within MaxStreams.
type limitedHandler Service

// Open takes a slot, then opens the stream; the session frees the slot.
func (l *limitedHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	s := (*Service)(l)
	if l.slots == nil {
		return s.open(ctx, hdr)
	}
	select {
	case l.slots <- struct{}{}:
	default:
		return nil, status.Errorf(codes.ResourceExhausted, "the server runs its limit of %d streams", l.cfg.MaxStreams)
	}
	sess, err := s.open(ctx, hdr)
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotSession{Session: sess, slots: l.slots}, nil
}

// slotSession frees its stream slot when it closes.
type slotSession struct {
	serving.Session
	slots <-chan struct{}
}

func (s *slotSession) Close() error {
	defer func() { <-s.slots }()
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
