package kserve

import (
	"context"
	"errors"

	"github.com/framewire/framewire/server/detect/engine"
)

// enginePool lends engines to calls, making them on demand up to its size.
// Safe for concurrent use; Close it once no call runs.
type enginePool struct {
	idle   chan engine.Engine
	slots  chan struct{} // one per engine made
	newEng func() (engine.Engine, error)
}

// newEnginePool holds first and makes up to size-1 more with newEng.
func newEnginePool(size int, first engine.Engine, newEng func() (engine.Engine, error)) *enginePool {
	p := &enginePool{idle: make(chan engine.Engine, size), slots: make(chan struct{}, size), newEng: newEng}
	p.slots <- struct{}{}
	p.idle <- first
	return p
}

// get returns an idle engine, or a new one while fewer than the pool's
// size exist, or waits; it gives up when ctx ends.
func (p *enginePool) get(ctx context.Context) (engine.Engine, error) {
	select {
	case e := <-p.idle:
		return e, nil
	default:
	}
	return p.wait(ctx)
}

// wait takes the first engine to become idle, or makes one when the pool
// has room for it.
func (p *enginePool) wait(ctx context.Context) (engine.Engine, error) {
	select {
	case e := <-p.idle:
		return e, nil
	case p.slots <- struct{}{}:
		return p.grow()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// grow makes an engine in the slot just taken, and gives the slot back
// when that fails.
func (p *enginePool) grow() (engine.Engine, error) {
	e, err := p.newEng()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return e, nil
}

// put gives e back.
func (p *enginePool) put(e engine.Engine) { p.idle <- e }

// Close frees the idle engines.
func (p *enginePool) Close() error {
	var errs []error
	for {
		select {
		case e := <-p.idle:
			errs = append(errs, e.Close())
		default:
			return errors.Join(errs...)
		}
	}
}
