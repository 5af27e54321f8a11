package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/mailbox"
)

// feed carries frames from the reader goroutine to the sender, across
// reconnections. A live feed is a one-slot mailbox (the newest frame wins,
// replaced frames are counted as drops); a finite feed is a channel of one
// that blocks the reader, so nothing is lost. One goroutine fills it and
// one takes from it.
type feed struct {
	mb *mailbox.Mailbox
	ch chan *pb.Frame

	once sync.Once
	mu   sync.Mutex
	err  error // why reading stopped early; nil at the source's end
}

// newFeed returns a live (mailbox) or finite (channel) feed.
func newFeed(live bool) *feed {
	if live {
		return &feed{mb: mailbox.New()}
	}
	return &feed{ch: make(chan *pb.Frame, 1)}
}

// fill reads src until it ends, fails or ctx ends, then closes the feed.
// read counts the frames read.
func (f *feed) fill(ctx context.Context, src Source, read *int64) {
	var err error
	defer func() { f.closeWith(err) }()
	var stop bool
	for !stop {
		var fr *pb.Frame
		fr, err = src.Next(ctx)
		if stop, err = readEnd(ctx, err); !stop {
			*read++
			stop = !f.put(ctx, fr)
		}
	}
}

// readEnd says whether reading stops after Next returned err, and with
// what error: none at the source's end or when ctx ended.
func readEnd(ctx context.Context, err error) (stop bool, _ error) {
	if errors.Is(err, io.EOF) || ctx.Err() != nil {
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("read source: %w", err)
	}
	return false, nil
}

// put hands fr to the sender: into the mailbox at once, or through the
// channel once the sender takes it; false when ctx ended first.
func (f *feed) put(ctx context.Context, fr *pb.Frame) bool {
	if f.mb != nil {
		f.mb.Put(fr)
		return true
	}
	select {
	case f.ch <- fr:
		return true
	case <-ctx.Done():
		return false
	}
}

// close ends the feed with no error.
func (f *feed) close() { f.closeWith(nil) }

// closeWith ends the feed, the first time, with err as its readErr.
func (f *feed) closeWith(err error) {
	f.once.Do(func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		f.shut()
	})
}

// shut closes the mailbox or the channel.
func (f *feed) shut() {
	if f.mb != nil {
		f.mb.Close()
	} else {
		close(f.ch)
	}
}

// next waits for a frame; nil when the feed is closed and empty or ctx ends.
func (f *feed) next(ctx context.Context) *pb.Frame {
	if f.mb != nil {
		return f.mb.Take(ctx)
	}
	select {
	case fr := <-f.ch:
		return fr
	case <-ctx.Done():
		return nil
	}
}

// readErr says why reading stopped early, once the feed is closed.
func (f *feed) readErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// drops counts live frames replaced before they were sent.
func (f *feed) drops() int64 {
	if f.mb == nil {
		return 0
	}
	return f.mb.Drops()
}
