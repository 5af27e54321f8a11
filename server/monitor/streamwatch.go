package monitor

import (
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// StreamWatch connects one stream's session to its Monitor. It keeps the
// arrival time (and, while someone watches the stream live, the annotated
// JPEG) of every frame in flight until its result is recorded. Received,
// WantJPEG and Annotated are called from the frames' goroutines;
// Committed and Close from the goroutine of serving.Serve, SourceStatus
// from the stream's receiver goroutine. All methods do nothing on a nil
// *StreamWatch (a unary DetectFrame is not watched).
type StreamWatch struct {
	mon *Monitor
	st  *streamState

	mu       sync.Mutex
	inFlight map[int64]*inFlightFrame // by seq
}

type inFlightFrame struct {
	arrived time.Time
	jpeg    []byte
}

// Received notes the arrival of f.
func (w *StreamWatch) Received(f *pb.Frame) {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.inFlight[f.GetSeq()] = &inFlightFrame{arrived: time.Now()}
	w.mu.Unlock()
	w.st.received.Add(1)
	w.st.dropped.Add(f.GetDroppedBefore())
	for _, o := range w.mon.observers {
		o.frameReceived(w.st, f)
	}
}

// WantJPEG says whether someone watches the stream live, so that every
// frame's annotated JPEG is needed even if it is not written.
func (w *StreamWatch) WantJPEG() bool {
	return w != nil && w.mon.live.watched(w.st)
}

// Annotated hands over frame seq's annotated JPEG for the live view,
// which keeps it only while someone watches.
func (w *StreamWatch) Annotated(seq int64, jpg []byte) {
	if !w.WantJPEG() {
		return
	}
	w.mu.Lock()
	if f := w.inFlight[seq]; f != nil {
		f.jpeg = jpg
	}
	w.mu.Unlock()
}

// Committed notes that r was recorded, or failed to be with err.
func (w *StreamWatch) Committed(r *pb.FrameResult, err error) {
	if w == nil {
		return
	}
	f := w.takeInFlight(r.GetSeq())
	if f == nil {
		return // not seen by received: nothing to report twice
	}
	r = withRecordError(r, err)
	w.count(r)
	d := doneFrame{result: r, jpeg: f.jpeg, e2e: time.Since(f.arrived)}
	for _, o := range w.mon.observers {
		o.frameDone(w.st, d)
	}
}

// takeInFlight removes and returns frame seq's in-flight entry, nil when
// there is none.
func (w *StreamWatch) takeInFlight(seq int64) *inFlightFrame {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.inFlight[seq]
	delete(w.inFlight, seq)
	return f
}

// withRecordError is r, or a copy of it carrying err when recording a
// successful result failed (as the stream layer will report it to the
// client).
func withRecordError(r *pb.FrameResult, err error) *pb.FrameResult {
	if err == nil || r.GetError() != "" {
		return r
	}
	r = proto.CloneOf(r)
	r.Error = fmt.Sprintf("record result: %v", err)
	return r
}

// count counts r as superseded, failed or processed.
func (w *StreamWatch) count(r *pb.FrameResult) {
	if r.GetStatus() == pb.FrameStatus_FRAME_DROPPED {
		w.st.superseded.Add(1)
	} else if r.GetError() != "" {
		w.st.failed.Add(1)
	} else {
		w.st.processed.Add(1)
	}
}

// Counted notes the stream's running counts (counting rules).
func (w *StreamWatch) Counted(counts []record.Count) {
	if w != nil && len(counts) > 0 {
		w.st.counts.Store(counts)
		w.mon.metrics.counts.Set(w.st.name, counts)
	}
}

// SourceStatus notes what the client says about its live source between
// frames.
func (w *StreamWatch) SourceStatus(s *pb.SourceStatus) {
	if w == nil {
		return
	}
	was := w.st.sourceNow()
	w.st.news.Store(&sourceSnapshot{s.GetState() == pb.SourceState_SOURCE_RECONNECTING, s.GetAttempt(), s.GetReason(),
		was.reconnects + s.GetReconnects(), was.outage + outageOf(s)})
	for _, o := range w.mon.observers {
		o.sourceChanged(w.st, s, was.reconnecting)
	}
}

// Close ends the watch; frames received and never recorded are forgotten.
func (w *StreamWatch) Close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	clear(w.inFlight)
	w.mu.Unlock()
	for _, o := range w.mon.observers {
		o.streamClosed(w.st)
	}
}
