package delivery

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sync/atomic"
	"time"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/proto/record"
)

// maxBatchesPerPass bounds what one stream sends before the others get
// their turn.
const maxBatchesPerPass = 4

// follower delivers every stream's events to one sink, from its own
// goroutine (run).
type follower struct {
	root    *os.Root
	sink    Sink
	kind    string
	streams map[string]*streamState
	wake    chan struct{} // one pending wake-up at most
	poll    time.Duration
	policy  backoff.Policy
	log     *slog.Logger
	m       sinkMetrics
	// lock, once taken, says this server delivers for the sink among
	// those sharing the folder; waiting: another server does.
	lock    *os.File
	waiting bool
	// passes counts the passes over the streams done, for tests that
	// must see that a pass found nothing to send.
	passes atomic.Int64
}

// streamState is one stream's events.jsonl as last seen, and the cursor.
type streamState struct {
	name   string
	file   os.FileInfo // nil until the cursor is loaded
	cur    cursor
	more   bool // the last pass left events behind on purpose
	failed bool // the last pass met an error on this stream
}

func newFollower(root *os.Root, sink Sink, cfg Config, m sinkMetrics) *follower {
	return &follower{
		root: root, sink: sink, kind: sink.Kind(), streams: map[string]*streamState{},
		wake: make(chan struct{}, 1), poll: cfg.Poll, policy: cfg.Backoff,
		log: cfg.Log.With("sink", sink.Kind()), m: m,
	}
}

func (f *follower) notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// run passes over the streams until ctx ends: at once again when a pass
// left events behind, after a backoff when the sink failed, else after
// the poll interval or a notify.
func (f *follower) run(ctx context.Context) {
	defer f.unlock()
	failures := 0
	for {
		var more bool
		var err error
		if f.holdLock() {
			more, err = f.pass(ctx)
			f.passes.Add(1)
		}
		if ctx.Err() != nil {
			return
		}
		failures = f.noteOutcome(failures, err)
		var wait <-chan time.Time
		var wake <-chan struct{}
		switch {
		case failures > 0:
			wait = time.After(f.policy.Wait(failures))
		case more:
			continue
		default:
			wait, wake = time.After(f.poll), f.wake
		}
		select {
		case <-ctx.Done():
			return
		case <-wait:
		case <-wake:
		}
	}
}

// holdLock says whether this server delivers for the sink, taking the
// lock when it is free; the cursors are read again on taking it, since
// another server may have moved them. Without a lock to take (a file
// system without flock), it delivers anyway: repeats are allowed, losses
// are not.
func (f *follower) holdLock() bool {
	if f.lock != nil {
		return true
	}
	lock, held, err := tryLock(f.root, f.kind)
	switch {
	case err != nil:
		if !f.waiting {
			f.log.Warn("cannot lock event delivery: delivering anyway (servers sharing the folder may repeat events)", "err", err)
			f.waiting = true
		}
		return true
	case !held:
		if !f.waiting {
			f.log.Info("another server sharing the output folder delivers these events; taking over when it stops")
			f.waiting = true
		}
		return false
	}
	f.lock, f.waiting = lock, false
	clear(f.streams)
	return true
}

// unlock lets another server deliver.
func (f *follower) unlock() {
	if f.lock != nil {
		f.lock.Close()
		f.lock = nil
	}
}

// noteOutcome counts failures in a row, logs the first and the
// recovery, and sets the up gauge.
func (f *follower) noteOutcome(failures int, err error) int {
	if err == nil {
		if failures > 0 {
			f.log.Info("event delivery resumed", "failed_attempts", failures)
		}
		f.m.up.Set(1)
		return 0
	}
	f.m.retries.Inc()
	f.m.up.Set(0)
	if failures == 0 {
		f.log.Warn("event delivery failing; retrying with backoff, nothing is lost", "err", err)
	} else {
		f.log.Debug("event delivery still failing", "err", err, "attempts", failures+1)
	}
	return failures + 1
}

// pass delivers what every stream has; more says some stream has more
// than its share of one pass. The sink's error ends the pass.
func (f *follower) pass(ctx context.Context) (more bool, err error) {
	files, err := f.eventFiles()
	if err != nil {
		return false, err
	}
	defer f.updatePending()
	for _, ef := range files {
		st := f.streams[ef.stream]
		if st == nil {
			st = &streamState{name: ef.stream}
			f.streams[ef.stream] = st
		}
		if err := f.deliverStream(ctx, st, ef.info); err != nil {
			return false, err
		}
		more = more || st.more
	}
	return more, nil
}

// eventFile is a stream folder's events file as found by a pass.
type eventFile struct {
	stream string
	info   os.FileInfo
}

// eventFiles lists the stream folders that have an events file, and
// forgets those that no longer have.
func (f *follower) eventFiles() ([]eventFile, error) {
	entries, err := fs.ReadDir(f.root.FS(), ".")
	if err != nil {
		return nil, err
	}
	var files []eventFile
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		if info, err := f.root.Stat(path.Join(e.Name(), record.EventsFile)); err == nil && info.Mode().IsRegular() {
			files = append(files, eventFile{e.Name(), info})
			seen[e.Name()] = true
		}
	}
	for name := range f.streams {
		if !seen[name] {
			delete(f.streams, name)
		}
	}
	return files, nil
}

func (f *follower) updatePending() {
	var n int64
	for _, st := range f.streams {
		if st.file != nil {
			n += max(0, st.file.Size()-st.cur.Offset)
		}
	}
	f.m.pending.Set(float64(n))
}

// deliverStream sends st's new complete lines, up to maxBatchesPerPass
// batches, and then writes the cursor (once per pass: a crash repeats at
// most those batches). A stream whose file cannot be read is logged and left for the
// next pass; only the sink's errors are returned.
func (f *follower) deliverStream(ctx context.Context, st *streamState, info os.FileInfo) error {
	if err := f.refresh(st, info); err != nil {
		f.streamFailed(st, err)
		return nil
	}
	st.more = false
	defer f.saveCursor(st, st.cur)
	for i := 0; st.cur.Offset < info.Size(); i++ {
		if i == maxBatchesPerPass {
			st.more = true
			return nil
		}
		lines, err := readLines(f.root, st.name, st.cur.Offset, st.file)
		if errors.Is(err, errReplaced) {
			return nil // the next pass reads the cursor again
		}
		if err != nil {
			f.streamFailed(st, err)
			return nil
		}
		if len(lines) == 0 {
			break // a line still being written
		}
		if err := f.deliverLines(ctx, st, lines); err != nil {
			return err
		}
	}
	st.failed = false
	return nil
}

// refresh notes st's events file as it is now, info, and (re)loads the
// cursor the first time and whenever the file was replaced, shrank, or
// grew with other bytes where the cursor points (a tail cut and written
// again between two passes).
func (f *follower) refresh(st *streamState, info os.FileInfo) error {
	changed := st.file == nil || !os.SameFile(st.file, info) || info.Size() < st.cur.Offset
	if changed || info.Size() > st.cur.Offset && !st.cur.holds(f.root, st.name) {
		cur, err := loadCursor(f.root, st.name, f.kind, info.Size())
		if err != nil {
			return err
		}
		st.cur = cur
	}
	st.file = info
	return nil
}

// streamFailed logs a stream's read error once until it is read again.
func (f *follower) streamFailed(st *streamState, err error) {
	if !st.failed && !errors.Is(err, fs.ErrNotExist) {
		f.log.Warn("cannot read a stream's events; trying again", "stream", st.name, "err", err)
	}
	st.failed = true
}
