package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/framewire/framewire/internal/backoff"
)

// DefaultPoll is how often the stream folders are looked at for new
// events when nothing wakes the Deliverer sooner.
const DefaultPoll = 200 * time.Millisecond

// Config is what a Deliverer needs.
type Config struct {
	// OutDir holds one folder per stream, each with its events.jsonl.
	OutDir string
	// Sinks receive every event; each has its own cursor and goroutine.
	Sinks []Sink
	// Poll is the wait between looks for new events (0 = DefaultPoll).
	Poll time.Duration
	// Backoff spaces the retries while a receiver fails (zero values:
	// 100 ms doubling up to 5 s, jittered).
	Backoff backoff.Policy
	// Log receives failures and recoveries (nil = discard).
	Log *slog.Logger
}

// Deliverer follows every stream folder under OutDir and delivers its
// events to every sink.
type Deliverer struct {
	root      *os.Root
	sinks     []Sink
	followers []*follower
	metrics   *metrics
}

// New opens cfg.OutDir (which must exist) for cfg.Sinks; Run delivers.
func New(cfg Config) (*Deliverer, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	kinds := map[string]bool{}
	for _, s := range cfg.Sinks {
		if kinds[s.Kind()] {
			return nil, fmt.Errorf("two event sinks of kind %q", s.Kind())
		}
		kinds[s.Kind()] = true
	}
	root, err := os.OpenRoot(cfg.OutDir)
	if err != nil {
		return nil, fmt.Errorf("open output folder for event delivery: %w", err)
	}
	d := &Deliverer{root: root, sinks: cfg.Sinks, metrics: newMetrics()}
	for _, s := range cfg.Sinks {
		d.followers = append(d.followers, newFollower(root, s, cfg, d.metrics.of(s.Kind())))
	}
	return d, nil
}

// Run delivers, one goroutine per sink, until ctx ends.
func (d *Deliverer) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, f := range d.followers {
		wg.Go(func() { f.run(ctx) })
	}
	wg.Wait()
}

// Notify says that stream has new events, so that they go out before
// the next poll.
func (d *Deliverer) Notify(stream string) {
	for _, f := range d.followers {
		f.notify()
	}
}

// Passes is how many passes over the stream folders every sink's
// goroutine has done since Run started (the fewest of any sink): a test
// that waits until it grew by 2 knows that each sink started a whole pass
// after it looked.
func (d *Deliverer) Passes() int64 {
	if len(d.followers) == 0 {
		return 0
	}
	n := d.followers[0].passes.Load()
	for _, f := range d.followers[1:] {
		n = min(n, f.passes.Load())
	}
	return n
}

// Collectors are the delivery metrics, for the server's registry.
func (d *Deliverer) Collectors() []prometheus.Collector { return d.metrics.collectors() }

// Close frees the sinks and the folder, after Run returned.
func (d *Deliverer) Close() error {
	errs := []error{d.root.Close()}
	for _, s := range d.sinks {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
