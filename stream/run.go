package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/framewire/framewire/internal/backoff"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/feed"
)

// run is the state of one Client.Run across its calls. The reader
// goroutine owns src; a call's sender and receiver share unacked under mu.
type run struct {
	rpc  pb.ImageProcedureClient
	cfg  ClientConfig
	src  FrameSource
	hdr  *pb.StreamHeader // sent on every call; follows the server's name
	sum  *Summary
	feed *feed.Feed

	start       time.Time // when Run began
	serverWaits int       // pauses so far waiting for a server never reached

	readerStop func()
	readerDone chan struct{}

	mu      sync.Mutex
	unacked []*pb.Frame // sent (or being sent) and without a result, in order
}

func newRun(rpc pb.ImageProcedureClient, src FrameSource, cfg ClientConfig) *run {
	live := cfg.Header.GetLive()
	r := &run{rpc: rpc, cfg: cfg, src: src, hdr: newRunHeader(cfg.Header), sum: &Summary{Live: live}, start: time.Now()}
	r.feed = feed.New(live, r.recycle) // a live frame dropped unsent is reused as an answered one is
	return r
}

// waitToReconnect tells OnReconnect and waits the backoff, or until ctx
// ends (an error). A live run forgets the frames the call took along.
func (r *run) waitToReconnect(ctx context.Context, failures int, why error) error {
	wait := backoff.Policy{Min: r.cfg.MinBackoff, Max: r.cfg.MaxBackoff}.Wait(failures)
	if r.cfg.OnReconnect != nil {
		r.cfg.OnReconnect(failures, wait, why)
	}
	if err := backoff.Sleep(ctx, wait); err != nil {
		return err
	}
	r.sum.Reconnects++
	if r.sum.Live {
		// Stale frames are not worth sending again.
		r.mu.Lock()
		r.sum.Gap += int64(len(r.unacked))
		r.unacked = nil
		r.mu.Unlock()
	}
	return nil
}

// startReader starts the goroutine that moves frames from the source to
// the feed, once, after the first call's ready told what is done.
func (r *run) startReader(done []*pb.SeqRange) error {
	ctx, cancel := context.WithCancel(context.Background())
	r.readerStop, r.readerDone = cancel, make(chan struct{})
	if err := r.skipDone(done); err != nil {
		close(r.readerDone)
		switch {
		case errors.Is(err, io.EOF):
			r.feed.Close() // everything is done already
			return nil
		case sourceEnd(err) != nil:
			r.feed.CloseWith(err) // the source ends early: the server is told
			return nil
		}
		return err
	}
	go func() {
		defer close(r.readerDone)
		r.feed.Fill(ctx, r.src, &r.sum.Read)
	}()
	return nil
}

// skipDone moves a finite source that can skip past the frames 0..n-1
// the server reports done, without decoding or encoding them.
func (r *run) skipDone(done []*pb.SeqRange) error {
	sk, ok := r.src.(Skipper)
	if !ok || r.sum.Live || len(done) == 0 || done[0].GetStart() > 0 || done[0].GetEnd() <= 0 {
		return nil
	}
	if err := sk.SkipTo(done[0].GetEnd()); err != nil {
		if errors.Is(err, io.EOF) {
			return err
		}
		return fmt.Errorf("skip %d frames already done: %w", done[0].GetEnd(), err)
	}
	r.sum.Skipped += done[0].GetEnd()
	return nil
}

// stopReader ends the reader goroutine and waits for it.
func (r *run) stopReader() {
	if r.readerStop != nil {
		r.readerStop()
		<-r.readerDone
	}
}
