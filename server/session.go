package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/stream"
)

// session is one stream's use of the pipeline. Process runs concurrently
// (on the pool's workers); Commit and Close run on the stream's sender.
type session struct {
	p    *Pipeline
	name string
	dir  *streamDir
	opts frameOptions
	// owner holds the name for this call; nil for DetectFrame.
	owner   *owner
	resumed bool
	// tracked finishes a tracked stream's frames in frame order; nil
	// when the stream is not tracked.
	tracked *trackStage
	// prune removes old images of a live stream; nil keeps them all.
	prune *imagePruner
	// watch tells the pipeline's Monitor about the frames; nil when there
	// is none, and for DetectFrame.
	watch *monitor.StreamWatch
}

// Ready reports the frames already recorded in the stream's folder.
func (s *session) Ready() *pb.StreamReady {
	return &pb.StreamReady{Done: s.dir.done, Model: s.p.cfg.Model.Kind, Name: s.name, Resumed: s.resumed, MinConf: s.p.conf.floor}
}

// Evicted is closed when a newer call of the same run takes over.
func (s *session) Evicted() <-chan struct{} { return s.owner.evicted }

// Process validates, decodes, detects, draws, encodes and writes one frame
// on a pool worker. It never returns nil: a failure is the result's Error.
func (s *session) Process(ctx context.Context, f *pb.Frame) *pb.FrameResult {
	s.watch.Received(f)
	if s.dir.hasDone(f.GetSeq()) {
		return &pb.FrameResult{
			Seq: f.GetSeq(), CaptureUnixNano: f.GetCaptureUnixNano(), Status: pb.FrameStatus_FRAME_INVALID,
			Error: fmt.Sprintf("frame %d is already recorded in this stream's output: not processed again", f.GetSeq()),
		}
	}
	r, err := s.process(ctx, f)
	switch {
	case errors.Is(err, errBadFrame):
		r.Status, r.Error = pb.FrameStatus_FRAME_INVALID, err.Error()
	case err != nil:
		// The server failed, not the frame: nothing is recorded, so a
		// resume sends the frame again.
		r.Status, r.Error = pb.FrameStatus_FRAME_NOT_RECORDED, err.Error()
		r.OutputPath, r.AnnotatedJpeg = "", nil
	}
	nameFile(r)
	return r
}

// process is Process with the failure as an error, which wraps errBadFrame
// when the frame is at fault. The result is never nil.
func (s *session) process(ctx context.Context, f *pb.Frame) (*pb.FrameResult, error) {
	r := &pb.FrameResult{Seq: f.GetSeq(), CaptureUnixNano: f.GetCaptureUnixNano(), Timings: &pb.StageTimings{}}
	if err := echoFrameMeta(f, r); err != nil {
		return r, err
	}
	if err := checkFrame(f, s.p.cfg.MaxPixels); err != nil {
		return r, err
	}
	queued := time.Now()
	var err error
	if perr := s.p.pool.do(ctx, func(w *worker) {
		r.Timings.QueueUs = time.Since(queued).Microseconds()
		err = s.processOn(w, f, r)
	}); perr != nil {
		err = fmt.Errorf("frame not processed: %w", perr)
	}
	return r, err
}

// processOn does the pixel work of one frame on worker w, filling r.
func (s *session) processOn(w *worker, f *pb.Frame, r *pb.FrameResult) error {
	t := time.Now()
	img, err := decodeFrame(f)
	if err != nil {
		return err
	}
	defer img.Close()
	r.Width, r.Height = int32(img.Cols()), int32(img.Rows())
	r.Channel = int32(img.Channels())
	r.Mean = pixelMean(img)
	bgr, converted, err := toBGR(img)
	if err != nil {
		return err
	}
	if converted {
		defer bgr.Close()
	}
	r.Timings.DecodeUs = lap(&t)

	dets, err := w.det.Detect(bgr)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	dets = s.opts.keep(dets)
	r.Detections = toProtoDetections(dets)
	r.Timings.InferenceUs = lap(&t)

	if s.tracked != nil {
		// Ids come in frame order: Commit draws and writes (finishTracked).
		s.tracked.hold(f.GetSeq(), bgr.Clone(), dets)
		return nil
	}
	return s.annotate(&bgr, dets, r, &t)
}

// lap returns the microseconds since *t and restarts *t.
func lap(t *time.Time) int64 {
	now := time.Now()
	d := now.Sub(*t)
	*t = now
	return d.Microseconds()
}

func toProtoDetections(dets []detect.Detection) []*pb.Detection {
	out := make([]*pb.Detection, len(dets))
	for i, d := range dets {
		out[i] = &pb.Detection{
			Label: d.Label, ClassId: int32(d.ClassID), Score: d.Score,
			Box: &pb.Box{X: d.Box.X, Y: d.Box.Y, Width: d.Box.W, Height: d.Box.H},
		}
	}
	return out
}

// Commit appends r's line to predictions.jsonl, unless the folder already
// had that frame when the stream opened (a client resending it) or the
// server failed to process it (nothing is recorded, so that a resume
// processes it again). The monitor sees every result, including a failure
// to record it.
func (s *session) Commit(r *pb.FrameResult) (err error) {
	defer func() { s.watch.Committed(r, err) }()
	if err := s.finishTracked(r); err != nil {
		return err
	}
	if s.dir.hasDone(r.GetSeq()) || r.GetStatus() == pb.FrameStatus_FRAME_NOT_RECORDED {
		return nil
	}
	line, err := json.Marshal(stream.NewRecord(r))
	if err != nil {
		return fmt.Errorf("encode prediction line: %w", err)
	}
	if err := s.dir.appendLine(append(line, '\n')); err != nil {
		return err
	}
	if r.GetOutputPath() != "" {
		s.prune.written(r.GetSeq())
	}
	return nil
}

// Close closes the folder and frees the stream's name.
func (s *session) Close() error {
	defer s.p.owners.release(s.owner)
	s.watch.Close()
	return errors.Join(s.tracked.close(), s.dir.Close())
}
