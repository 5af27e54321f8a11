// Package pixels is the OpenCV side of the server: it checks and decodes
// frames, runs the detector on them on a pool of workers (one model each),
// and draws and encodes the annotated JPEGs. It is the only server code
// that touches a gocv Mat; everything else uses it through
// core.Processor and core.Picture.
package pixels

import (
	"context"
	"fmt"
	"time"

	"github.com/framewire/framewire/internal/cpus"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
)

var _ core.Processor = (*Processor)(nil)

// Config sets up a Processor.
type Config struct {
	// Model selects the detector; every worker loads its own.
	Model detect.Config
	// Workers is the number of frames decoded and detected at once
	// (0 = one per CPU this process may use, cpus.Usable).
	Workers int
	// MaxPixels refuses larger frames before decoding (0 = DefaultMaxPixels).
	MaxPixels int64
}

// Processor decodes frames and runs the model on them. Safe for
// concurrent use; Close it once no frame is in flight.
type Processor struct {
	pool      *workerPool
	maxPixels int64
	classes   []string
}

// New loads the model once per worker. Its errors are start-up errors:
// the model file or engine is wrong.
func New(cfg Config) (*Processor, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = cpus.Usable()
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	pool, err := newWorkerPool(cfg.Workers, cfg.Model)
	if err != nil {
		return nil, err
	}
	return &Processor{pool: pool, maxPixels: cfg.MaxPixels, classes: pool.workers[0].det.Labels()}, nil
}

// Workers is how many frames are decoded and detected at once.
func (p *Processor) Workers() int { return len(p.pool.workers) }

// Classes are the model's labels; nil for the mean model.
func (p *Processor) Classes() []string { return p.classes }

// Detect checks f from its header, then decodes it and runs the model on
// the next free worker. A live stream's frame (ctx from core.NewestWins)
// that a newer one replaces while it waits fails with core.ErrSuperseded.
func (p *Processor) Detect(ctx context.Context, f *pb.Frame) (*core.Detected, error) {
	if err := checkFrame(f, p.maxPixels); err != nil {
		return nil, err
	}
	queued := time.Now()
	var d *core.Detected
	var err error
	if perr := p.pool.do(ctx, false, func(w *worker) { d, err = w.detectQueued(f, queued) }); perr != nil {
		return nil, fmt.Errorf("frame not processed: %w", perr)
	}
	if err == nil {
		d.Picture.(*picture).pool = p.pool
	}
	return d, err
}

// detectQueued runs detect on f, queued since queued, and counts the wait.
func (w *worker) detectQueued(f *pb.Frame, queued time.Time) (*core.Detected, error) {
	queueUs := time.Since(queued).Microseconds()
	d, err := w.detect(f)
	if d != nil {
		d.QueueUs = queueUs
	}
	return d, err
}

// detect decodes f and runs the worker's model on it.
func (w *worker) detect(f *pb.Frame) (*core.Detected, error) {
	t := time.Now()
	d, pic, err := decode(f)
	if err != nil {
		return nil, err
	}
	d.DecodeUs = lap(&t)
	if d.Detections, err = w.det.Detect(pic.bgr); err != nil {
		pic.Close()
		return nil, fmt.Errorf("detect: %w", err)
	}
	d.InferenceUs = lap(&t)
	d.Picture = pic
	return d, nil
}

// decode decodes f into a picture and describes it.
func decode(f *pb.Frame) (*core.Detected, *picture, error) {
	img, err := decodeFrame(f)
	if err != nil {
		return nil, nil, err
	}
	d := &core.Detected{Width: int32(img.Cols()), Height: int32(img.Rows()), Channel: int32(img.Channels()), Mean: pixelMean(img)}
	pic, err := newPicture(img)
	if err != nil {
		return nil, nil, err
	}
	return d, pic, nil
}

// lap returns the microseconds since *t and restarts *t.
func lap(t *time.Time) int64 {
	now := time.Now()
	d := now.Sub(*t)
	*t = now
	return d.Microseconds()
}

// Close frees the workers and their models. Call it once no frame is in
// flight; it may be called again.
func (p *Processor) Close() error {
	return p.pool.Close()
}
