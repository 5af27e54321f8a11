package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	pb "github.com/framewire/framewire/proto"
)

// feed carries frames from the reader goroutine to the sender, across
// reconnections. A live feed is a one-slot mailbox (the newest frame wins,
// replaced frames are counted as drops); a finite feed is a channel of one
// that blocks the reader, so nothing is lost. One goroutine fills it and
// one takes from it.
type feed struct {
	mb *mailbox
	ch chan *pb.Frame

	once sync.Once
	mu   sync.Mutex
	err  error // why reading stopped early; nil at the source's end
}

func newFeed(live bool) *feed {
	if live {
		return &feed{mb: newMailbox()}
	}
	return &feed{ch: make(chan *pb.Frame, 1)}
}

// fill reads src until it ends, fails or ctx ends, then closes the feed.
// read counts the frames read.
func (f *feed) fill(ctx context.Context, src Source, read *int64) {
	var err error
	defer func() { f.closeWith(err) }()
	for {
		var fr *pb.Frame
		fr, err = src.Next(ctx)
		if errors.Is(err, io.EOF) || ctx.Err() != nil {
			err = nil
			return
		}
		if err != nil {
			err = fmt.Errorf("read source: %w", err)
			return
		}
		*read++
		if f.mb != nil {
			f.mb.put(fr)
			continue
		}
		select {
		case f.ch <- fr:
		case <-ctx.Done():
			return
		}
	}
}

// close ends the feed with no error.
func (f *feed) close() { f.closeWith(nil) }

func (f *feed) closeWith(err error) {
	f.once.Do(func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		if f.mb != nil {
			f.mb.close()
		} else {
			close(f.ch)
		}
	})
}

// next waits for a frame; nil when the feed is closed and empty or ctx ends.
func (f *feed) next(ctx context.Context) *pb.Frame {
	if f.mb != nil {
		return f.mb.take(ctx)
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
	return f.mb.drops()
}
