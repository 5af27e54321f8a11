package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/framewire/framewire/internal/pathtext"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/service/trackstage"
	"github.com/framewire/framewire/server/serving"
)

var (
	_ serving.Session       = (*session)(nil)
	_ serving.SourceEnder   = (*session)(nil)
	_ serving.SourceWatcher = (*session)(nil)
)

// session is one stream's (or one DetectFrame call's) use of the service.
// Process runs concurrently, one goroutine per frame; Commit and Close run
// on the stream's sender, in frame order.
type session struct {
	svc *Service
	// out is the stream's output; nil for DetectFrame.
	out core.Output
	// write keeps an annotated JPEG and returns its path.
	write func(seq int64, jpg []byte) (string, error)
	opts  frameOptions
	// tracked finishes a tracked stream's frames in frame order; nil when
	// the stream is not tracked.
	tracked *trackstage.Stage
	// counted counts the tracks by the stream's rules (zones), in frame
	// order; nil without rules.
	counted *eventstage.Stage
	// watch tells the monitor about the frames; nil when there is none,
	// and for DetectFrame.
	watch *monitor.StreamWatch
	// live streams keep at most one frame waiting for the processor: a
	// newer one takes its place (core.NewestWins) and it is dropped.
	live bool
}

// Ready reports the frames already recorded in the stream's output.
func (s *session) Ready() *pb.StreamReady {
	return &pb.StreamReady{
		Done: s.out.Done(), Model: s.svc.cfg.Model.Kind, Name: s.out.Name(),
		Resumed: s.out.Resumed(), MinConf: s.svc.cfg.MinConf, MaxMessageBytes: int64(s.svc.cfg.MaxMessageBytes),
	}
}

// Evicted is closed when a newer call of the same run takes over.
func (s *session) Evicted() <-chan struct{} { return s.out.Evicted() }

// Process runs one frame through the processor and annotates it. It never
// returns nil: a failure is the result's Error, with its kind in Status,
// as UTF-8 text even when it names a path that is not (pathtext.Text).
func (s *session) Process(ctx context.Context, f *pb.Frame) *pb.FrameResult {
	s.watch.Received(f)
	if s.out.Recorded(f.GetSeq()) {
		return &pb.FrameResult{
			Seq: f.GetSeq(), CaptureUnixNano: f.GetCaptureUnixNano(), Status: pb.FrameStatus_FRAME_INVALID,
			Error: fmt.Sprintf("frame %d is already recorded in this stream's output: not processed again", f.GetSeq()),
		}
	}
	if s.live {
		ctx = core.NewestWins(ctx, s)
	}
	r, err := s.process(ctx, f)
	switch {
	case errors.Is(err, core.ErrSuperseded):
		r.Status, r.Error = pb.FrameStatus_FRAME_DROPPED, fmt.Sprintf("frame %d dropped: %v", f.GetSeq(), err)
		return r
	case errors.Is(err, core.ErrBadFrame):
		r.Status, r.Error = pb.FrameStatus_FRAME_INVALID, pathtext.Text(err.Error())
	case err != nil:
		// The server failed, not the frame: nothing is recorded, so a
		// resume sends the frame again.
		r.Status, r.Error = pb.FrameStatus_FRAME_NOT_RECORDED, pathtext.Text(err.Error())
		r.OutputPath, r.AnnotatedJpeg = "", nil
	}
	nameFile(r)
	return r
}

// process is Process with the failure as an error, which wraps
// core.ErrBadFrame when the frame is at fault. The result is never nil.
func (s *session) process(ctx context.Context, f *pb.Frame) (*pb.FrameResult, error) {
	r := &pb.FrameResult{Seq: f.GetSeq(), CaptureUnixNano: f.GetCaptureUnixNano(), Timings: &pb.StageTimings{}}
	if err := echoFrameMeta(f, r); err != nil {
		return r, err
	}
	d, err := s.svc.cfg.Processor.Detect(ctx, f)
	if err != nil {
		return r, err
	}
	fill(r, d)
	dets := s.opts.keep(d.Detections)
	r.Detections = toProtoDetections(dets)
	if s.tracked != nil {
		// Ids come in frame order: Commit draws and writes (finishTracked).
		s.tracked.Hold(f.GetSeq(), d.Picture, dets)
		return r, nil
	}
	return r, s.annotate(d.Picture, dets, r)
}

// fill copies what the processor found about the frame into r.
func fill(r *pb.FrameResult, d *core.Detected) {
	r.Width, r.Height, r.Channel, r.Mean = d.Width, d.Height, d.Channel, d.Mean
	r.Timings.QueueUs, r.Timings.DecodeUs, r.Timings.InferenceUs = d.QueueUs, d.DecodeUs, d.InferenceUs
}

func toProtoDetections(dets []core.Detection) []*pb.Detection {
	out := make([]*pb.Detection, len(dets))
	for i, d := range dets {
		out[i] = &pb.Detection{
			Label: d.Label, ClassId: int32(d.ClassID), Score: d.Score, TrackId: d.TrackID,
			Box: &pb.Box{X: d.Box.X, Y: d.Box.Y, Width: d.Box.W, Height: d.Box.H},
		}
	}
	return out
}

// Commit records r as a predictions line, unless the output already had
// that frame when the stream opened (a client resending it), the server
// failed to process it (nothing is recorded, so that a resume processes
// it again) or dropped it for a newer live frame (a gap, as a frame the
// client dropped). The monitor sees every result, including a failure to record
// it.
func (s *session) Commit(r *pb.FrameResult) (err error) {
	defer func() { s.watch.Committed(r, err) }()
	if err := s.finishTracked(r); err != nil {
		s.counted.Drop()
		return err
	}
	if s.out.Recorded(r.GetSeq()) || r.GetStatus() == pb.FrameStatus_FRAME_NOT_RECORDED || r.GetStatus() == pb.FrameStatus_FRAME_DROPPED {
		s.counted.Drop()
		return nil
	}
	if err := s.out.Append(record.FromResult(r)); err != nil {
		s.counted.Drop()
		return err
	}
	if err := s.counted.Commit(r); err != nil {
		return fmt.Errorf("frame %d is recorded, its events are not (the next open writes them): %w", r.GetSeq(), err)
	}
	if len(r.GetEvents()) > 0 {
		s.watch.Counted(s.counted.Counts())
	}
	return nil
}

// Summarize adds the distinct tracks per label of this call.
func (s *session) Summarize(sum *pb.StreamSummary) {
	if s.tracked != nil {
		sum.Tracks = s.tracked.Counts()
	}
}

// SourceStatus tells the monitor how the client's live source is doing.
func (s *session) SourceStatus(st *pb.SourceStatus) { s.watch.SourceStatus(st) }

// Close saves the counting checkpoint, releases held pictures and lets
// the stream's name go. A newer call that took the name over waits for
// that (the store releases the name in out.Close), so the folder is
// still this call's when the checkpoint is saved.
func (s *session) Close() error {
	s.watch.Close()
	s.counted.Close()
	return errors.Join(s.tracked.Close(), s.out.Close())
}
