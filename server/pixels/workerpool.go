package pixels

import (
	"context"
	"fmt"
	"sync"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
)

// worker owns one detector; only its pool goroutine uses it.
type worker struct {
	det detect.Detector
}

// task is one job waiting for, or running on, a worker.
type task struct {
	run  func(*worker)
	done chan error // nil once run, ErrSuperseded when replaced; buffered
	slot *slot
}

// slot is a place in the pool's queue. A live stream's newer task takes
// the place of its waiting one (task is swapped); a withdrawn task leaves
// the slot empty.
type slot struct {
	task *task
	lane any // the live stream's lane; nil for every other task
}

// workerPool runs jobs on a fixed set of workers, one goroutine and one
// detector each (OpenCV nets are not safe for concurrent use). All streams
// share it, so the number of frames decoded and inferred at once is the
// number of workers whatever the number of streams. Jobs run first come,
// first served, except that finishing jobs (drawing a detected frame) go
// before new frames, and that a live stream has at most one frame
// waiting: a newer one takes its place (core.NewestWins), and once a
// worker takes it, the stream's next place is kept at the back (reserve). Safe for
// concurrent use; Close stops it after the queued jobs have run.
type workerPool struct {
	mu      sync.Mutex
	nonIdle sync.Cond // signalled when a slot is queued or the pool closes
	first   []*slot   // finishing jobs, served before queue
	queue   []*slot
	lanes   map[any]*slot // the waiting slot of each live lane
	closing bool

	// jpegs are buffers for annotated JPEGs on their way out of a worker.
	jpegs sync.Pool

	wg       sync.WaitGroup
	workers  []*worker
	close    sync.Once
	closeErr error
}

// newWorkerPool makes n workers, each with its own detector from cfg. It
// fails if any detector cannot be made.
func newWorkerPool(n int, cfg detect.Config) (*workerPool, error) {
	p := &workerPool{lanes: map[any]*slot{}}
	p.nonIdle.L = &p.mu
	p.jpegs.New = func() any { return new([]byte) }
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

// serve runs tasks on w until the pool closes and its queue is empty.
func (p *workerPool) serve(w *worker) {
	defer p.wg.Done()
	for t := p.next(); t != nil; t = p.next() {
		t.run(w)
		t.done <- nil
	}
}

// next waits for the next task; nil once the pool is closing and empty.
func (p *workerPool) next() *task {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		s := p.pop()
		switch {
		case s != nil && s.task != nil:
			t := s.task
			s.task = nil
			if s.lane != nil {
				p.reserve(s.lane)
			}
			return t
		case s != nil: // withdrawn
		case p.closing:
			return nil
		default:
			p.nonIdle.Wait()
		}
	}
}

// pop takes the first slot off the queues (finishing jobs first) and
// frees its lane; nil when both are empty. p.mu is held.
func (p *workerPool) pop() *slot {
	q := &p.first
	if len(*q) == 0 {
		q = &p.queue
	}
	if len(*q) == 0 {
		return nil
	}
	s := (*q)[0]
	(*q)[0] = nil
	*q = (*q)[1:]
	if s.lane != nil && p.lanes[s.lane] == s {
		delete(p.lanes, s.lane)
	}
	return s
}

// reserve queues an empty slot for lane, whose frame a worker just took:
// the lane's next frame takes it, so that every live stream gets one turn
// a round of the queue whenever its next frame comes within the round
// (a camera's frames come when they come; without the reservation a
// stream whose frames come just after its turn would wait a round more).
// An empty slot reaching the front is skipped. p.mu is held.
func (p *workerPool) reserve(lane any) {
	s := &slot{lane: lane}
	p.lanes[lane] = s
	p.queue = append(p.queue, s)
}

// do runs job on the next free worker and waits for it. It returns ctx's
// error without running job if ctx ends while waiting for a worker, and
// core.ErrSuperseded when a newer job of the same live lane (ctx's
// core.NewestWins) took its place. finishing jobs go before new frames.
func (p *workerPool) do(ctx context.Context, finishing bool, job func(*worker)) error {
	t := &task{run: job, done: make(chan error, 1)}
	p.push(t, core.NewestWinsLane(ctx), finishing)
	select {
	case err := <-t.done:
		return err
	case <-ctx.Done():
		if p.withdraw(t) {
			return ctx.Err()
		}
		return <-t.done
	}
}

// push queues t; in lane (nil for none) it takes the place of the
// waiting task, which fails with core.ErrSuperseded.
func (p *workerPool) push(t *task, lane any, finishing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.lanes[lane]; lane != nil && s != nil {
		if s.task != nil {
			s.task.done <- core.ErrSuperseded
		}
		s.task, t.slot = t, s
		return
	}
	t.slot = &slot{task: t, lane: lane}
	if lane != nil {
		p.lanes[lane] = t.slot
	}
	if finishing {
		p.first = append(p.first, t.slot)
	} else {
		p.queue = append(p.queue, t.slot)
	}
	p.nonIdle.Signal()
}

// withdraw takes t out of its slot unless a worker took it or a newer
// task replaced it; false when it can no longer be withdrawn.
func (p *workerPool) withdraw(t *task) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.slot.task != t {
		return false
	}
	t.slot.task = nil
	return true
}

// Close stops the workers once every queued job has run and frees the
// detectors. No do may be called after or during Close; Close itself may
// be called again and returns the first call's result.
func (p *workerPool) Close() error {
	p.close.Do(func() {
		p.mu.Lock()
		p.closing = true
		p.nonIdle.Broadcast()
		p.mu.Unlock()
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
