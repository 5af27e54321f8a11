package monitor

import (
	"context"
	"log/slog"
	"math"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// streamLog writes one log line when a stream starts and one, with its
// summary, when it ends; between them, a line when the client's live
// source is lost and when it is back, and one per failed frame. It
// implements frameObserver; slog loggers are
// safe for concurrent use, and so is streamLog.
type streamLog struct {
	log *slog.Logger
}

func (l streamLog) streamOpened(st *streamState) {
	l.log.Info("stream started", "stream", st.name, "source", st.source, "live", st.live,
		"frame_count", st.frameCount, "model", st.model, "peer", st.peer)
}

func (streamLog) frameReceived(*streamState, *pb.Frame) {}

// sourceChanged logs the client's live source lost (at its first
// reopening attempt) and back, not every attempt.
func (l streamLog) sourceChanged(st *streamState, s *pb.SourceStatus, wasReconnecting bool) {
	switch reconnecting := s.GetState() == pb.SourceState_SOURCE_RECONNECTING; {
	case reconnecting && !wasReconnecting:
		l.log.Warn("stream source lost, client reconnecting", "stream", st.name, "reason", s.GetReason(), "peer", st.peer)
	case !reconnecting && s.GetReconnects() > 0:
		l.log.Info("stream source back", "stream", st.name, "reconnects", s.GetReconnects(), "outage", outageOf(s).Round(time.Millisecond), "peer", st.peer)
	}
}

// frameDone logs a frame that failed: at Warn when the server is at fault
// (a full disk, an unwritable folder, a model error), at Debug when the
// frame was bad, since a client can send any number of those.
func (l streamLog) frameDone(st *streamState, d doneFrame) {
	msg := d.result.GetError()
	if msg == "" || d.result.GetStatus() == pb.FrameStatus_FRAME_DROPPED {
		return
	}
	l.log.Log(context.Background(), failureLevel(d.result), "frame failed", "stream", st.name, "seq", d.result.GetSeq(), "err", msg)
}

// failureLevel is the log level of a failed frame's result r: debug for a
// frame the server could not read (the client's), warning otherwise.
func failureLevel(r *pb.FrameResult) slog.Level {
	if r.GetStatus() == pb.FrameStatus_FRAME_INVALID {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

func (l streamLog) streamClosed(st *streamState) {
	now := time.Now()
	l.log.Info("stream ended", "stream", st.name,
		"received", st.received.Load(), "processed", st.processed.Load(),
		"failed", st.failed.Load(), "dropped", st.dropped.Load(), "superseded", st.superseded.Load(),
		"duration", now.Sub(st.opened).Round(time.Millisecond),
		"fps", math.Round(st.fps(now)*10)/10, "peer", st.peer)
}
