package service

import (
	"context"
	"errors"
	"fmt"

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
		return nil, toStatus(l.admissionError(err))
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

// admissionError says why a stream got no slot: a full queue names the
// limits; the server's drain is said as it is.
func (l *limitedHandler) admissionError(err error) error {
	if errors.Is(err, admission.ErrFull) {
		return fmt.Errorf("the server runs its limit of %d streams and %d more wait for a slot: try again later: %w", l.cfg.MaxStreams, l.cfg.MaxQueued, err)
	}
	return err
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
