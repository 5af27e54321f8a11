package pixels

import (
	"context"
	"fmt"
	"sync"

	"github.com/framewire/framewire/server/detect"
)

// worker owns one detector; only its pool goroutine uses it.
type worker struct {
	det detect.Detector
}

// workerPool runs jobs on a fixed set of workers, one goroutine and one
// detector each (OpenCV nets are not safe for concurrent use). All streams
// share it, so the number of frames decoded and inferred at once is the
// number of workers whatever the number of streams. Safe for concurrent
// use; Close stops it after the queued jobs have run.
type workerPool struct {
	jobs     chan func(*worker)
	wg       sync.WaitGroup
	workers  []*worker
	close    sync.Once
	closeErr error
}

// newWorkerPool makes n workers, each with its own detector from cfg. It
// fails if any detector cannot be made.
func newWorkerPool(n int, cfg detect.Config) (*workerPool, error) {
	p := &workerPool{jobs: make(chan func(*worker))}
	if err := p.load(n, cfg); err != nil {
		return nil, err
	}
	for _, w := range p.workers {
		p.wg.Add(1)
		go p.serve(w)
	}
	return p, nil
}

// load makes n workers with a detector each; when one fails it closes
// the others.
func (p *workerPool) load(n int, cfg detect.Config) error {
	for i := range n {
		det, err := detect.New(cfg)
		if err != nil {
			for _, w := range p.workers {
				w.det.Close()
			}
			return fmt.Errorf("load model for worker %d: %w", i, err)
		}
		p.workers = append(p.workers, &worker{det: det})
	}
	return nil
}

// serve runs jobs on w until the pool closes.
func (p *workerPool) serve(w *worker) {
	defer p.wg.Done()
	for job := range p.jobs {
		job(w)
	}
}

// do runs job on the next free worker and waits for it. It returns ctx's
// error without running job if ctx ends while waiting for a worker.
func (p *workerPool) do(ctx context.Context, job func(*worker)) error {
	done := make(chan struct{})
	select {
	case p.jobs <- func(w *worker) { defer close(done); job(w) }:
	case <-ctx.Done():
		return ctx.Err()
	}
	<-done
	return nil
}

// Close stops the workers once no job is running and frees the detectors.
// No do may be called after or during Close; Close itself may be called
// again and returns the first call's result.
func (p *workerPool) Close() error {
	p.close.Do(func() {
		close(p.jobs)
		p.wg.Wait()
		p.closeErr = p.closeDetectors()
	})
	return p.closeErr
}

// closeDetectors closes every worker's detector and returns the first
// error.
func (p *workerPool) closeDetectors() error {
	var first error
	for _, w := range p.workers {
		if err := w.det.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
