package pixels

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
)

// poolOrder runs jobs on a one-worker pool held busy by a first job, so
// that the queue's order decides, and records what ran.
type poolOrder struct {
	t       *testing.T
	pool    *workerPool
	release chan struct{}
	mu      sync.Mutex
	ran     []string
	wg      sync.WaitGroup
	errs    sync.Map // name -> error
}

func newPoolOrder(t *testing.T) *poolOrder {
	t.Helper()
	pool, err := newWorkerPool(1, detect.Config{Kind: detect.KindMean})
	if err != nil {
		t.Fatal(err)
	}
	o := &poolOrder{t: t, pool: pool, release: make(chan struct{})}
	started := make(chan struct{})
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		_ = pool.do(context.Background(), false, func(*worker) { close(started); <-o.release })
	}()
	<-started
	return o
}

// submit queues job name (in lane when not nil) as do does, and waits
// for its outcome in a goroutine.
func (o *poolOrder) submit(name string, lane any, finishing bool) {
	t := &task{run: func(*worker) { o.mu.Lock(); o.ran = append(o.ran, name); o.mu.Unlock() }, done: make(chan error, 1)}
	o.pool.push(t, lane, finishing)
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		o.errs.Store(name, <-t.done)
	}()
}

// queued counts the slots in the pool's queues.
func (o *poolOrder) queued() int {
	o.pool.mu.Lock()
	defer o.pool.mu.Unlock()
	return len(o.pool.first) + len(o.pool.queue)
}

func (o *poolOrder) waitFor(cond func() bool) {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			o.t.Fatal("timed out waiting for the pool")
		}
		time.Sleep(time.Millisecond)
	}
}

// finish releases the worker, waits for every job and closes the pool.
func (o *poolOrder) finish() []string {
	close(o.release)
	o.wg.Wait()
	if err := o.pool.Close(); err != nil {
		o.t.Fatal(err)
	}
	return o.ran
}

func (o *poolOrder) err(name string) error {
	v, _ := o.errs.Load(name)
	err, _ := v.(error)
	return err
}

// TestPoolNewestWinsKeepsPlace: a live lane's newer job takes the place
// of its waiting job, which fails with core.ErrSuperseded; finishing jobs
// go first; other jobs keep their order.
func TestPoolNewestWinsKeepsPlace(t *testing.T) {
	o := newPoolOrder(t)
	camA, camB := new(int), new(int)
	o.submit("a1", camA, false)
	o.submit("file1", nil, false)
	o.submit("b1", camB, false)
	o.submit("file2", nil, false)
	// a2 replaces a1 in its slot: the queue does not grow.
	n := o.queued()
	o.submit("a2", camA, false)
	o.waitFor(func() bool { return errors.Is(o.err("a1"), core.ErrSuperseded) })
	if got := o.queued(); got != n {
		t.Errorf("queued after a newer live frame: got %d slots, want %d", got, n)
	}
	o.submit("draw", nil, true)
	got := o.finish()
	want := []string{"draw", "a2", "file1", "b1", "file2"}
	if !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	for _, name := range want {
		if err := o.err(name); err != nil {
			t.Errorf("%s: got error %v, want none", name, err)
		}
	}
}

// TestPoolWithdrawnJobLeavesNothing: a job whose context ends while it
// waits does not run, and a later job of its lane takes the empty slot.
func TestPoolWithdrawnJobLeavesNothing(t *testing.T) {
	o := newPoolOrder(t)
	cam := new(int)
	ctx, cancel := context.WithCancel(core.NewestWins(context.Background(), cam))
	errc := make(chan error, 1)
	go func() { errc <- o.pool.do(ctx, false, func(*worker) { t.Error("withdrawn job ran") }) }()
	o.waitFor(func() bool { return o.queued() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("withdrawn: got %v, want context.Canceled", err)
	}
	o.submit("later", cam, false)
	if got := o.finish(); !slices.Equal(got, []string{"later"}) {
		t.Errorf("ran %v, want [later]", got)
	}
}

// A job through the pool allocates a bounded few small objects (its task,
// done channel, slot and the lane's reservation, the caller's closure, the
// queue's growth now and then), whatever the queue: a regression bound.
func TestPoolJobAllocatesLittle(t *testing.T) {
	pool, err := newWorkerPool(1, detect.Config{Kind: detect.KindMean})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := core.NewestWins(context.Background(), new(int))
	if n := testing.AllocsPerRun(200, func() {
		if err := pool.do(ctx, false, func(*worker) {}); err != nil {
			t.Fatal(err)
		}
	}); n > 8 {
		t.Errorf("a job allocates %.1f times, want at most 8", n)
	}
}

// A live lane whose frame a worker takes keeps its next place at the back
// of the queue: its next frame, even if it comes after other jobs, runs
// in that place; a reservation nobody fills is skipped.
func TestPoolLaneKeepsItsTurn(t *testing.T) {
	pool, err := newWorkerPool(1, detect.Config{Kind: detect.KindMean})
	if err != nil {
		t.Fatal(err)
	}
	pool.Close() // the test takes the tasks itself
	var ran []string
	task := func(name string) *task {
		return &task{run: func(*worker) { ran = append(ran, name) }, done: make(chan error, 1)}
	}
	cam, idle := new(int), new(int)
	pool.push(task("a1"), cam, false)
	pool.push(task("i1"), idle, false)
	pool.push(task("x"), nil, false)
	for range 2 {
		pool.next().run(nil) // a1, then i1: both lanes reserve a place after x
	}
	pool.push(task("y"), nil, false)
	pool.push(task("a2"), cam, false)
	for t := pool.next(); t != nil; t = pool.next() {
		t.run(nil)
	}
	if want := []string{"a1", "i1", "x", "a2", "y"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
}
