// Package feed carries frames from a stream client's reader goroutine to
// its sender: newest-wins for a live source, blocking for a finite one.
package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/mailbox"
)

// Reader is where a feed's frames come from.
type Reader interface {
	Next(ctx context.Context) (*pb.Frame, error)
}

// Feed carries frames from the reader goroutine to the sender, across
// reconnections. A live feed is a one-slot mailbox (the newest frame wins,
// replaced frames are counted as drops); a finite feed is a channel of one
// that blocks the reader, so nothing is lost. One goroutine fills it and
// one takes from it.
type Feed struct {
	mb      *mailbox.Mailbox
	ch      chan *pb.Frame
	dropped func(*pb.Frame) // told each live frame a newer one replaced unsent

	once sync.Once
	mu   sync.Mutex
	err  error // why reading stopped early; nil at the source's end
}

// New returns a live (mailbox) or finite (channel) feed. A live feed
// gives dropped each frame a newer one replaced before it was sent, from
// Fill's goroutine (nil: nothing is told).
func New(live bool, dropped func(*pb.Frame)) *Feed {
	if live {
		return &Feed{mb: mailbox.New(), dropped: dropped}
	}
	return &Feed{ch: make(chan *pb.Frame, 1)}
}

// Fill reads src until it ends, fails or ctx ends, then closes the feed.
// read counts the frames read.
func (f *Feed) Fill(ctx context.Context, src Reader, read *int64) {
	var err error
	defer func() { f.CloseWith(err) }()
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

// put hands fr to the sender: into the mailbox at once (the frame it
// replaces goes to dropped), or through the channel once the sender takes
// it; false when ctx ended first.
func (f *Feed) put(ctx context.Context, fr *pb.Frame) bool {
	if f.mb != nil {
		if old := f.mb.Put(fr); old != nil && f.dropped != nil {
			f.dropped(old)
		}
		return true
	}
	select {
	case f.ch <- fr:
		return true
	case <-ctx.Done():
		return false
	}
}

// Close ends the feed with no error.
func (f *Feed) Close() { f.CloseWith(nil) }

// CloseWith ends the feed, the first time, with err as its ReadErr.
func (f *Feed) CloseWith(err error) {
	f.once.Do(func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		f.shut()
	})
}

// shut closes the mailbox or the channel.
func (f *Feed) shut() {
	if f.mb != nil {
		f.mb.Close()
	} else {
		close(f.ch)
	}
}

// Next waits for a frame; nil when the feed is closed and empty or ctx ends.
func (f *Feed) Next(ctx context.Context) *pb.Frame {
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

// ReadErr says why reading stopped early, once the feed is closed.
func (f *Feed) ReadErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Drops counts live frames replaced before they were sent.
func (f *Feed) Drops() int64 {
	if f.mb == nil {
		return 0
	}
	return f.mb.Drops()
}
