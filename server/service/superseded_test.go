package service

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// supersedingProcessor is fakeProcessor, except that a live stream's
// (core.NewestWins) odd frames are superseded, as if a newer frame had
// taken their place while they waited for a worker. It tells seen of
// every frame it gets.
type supersedingProcessor struct {
	fakeProcessor
	seen chan int64
}

func (p supersedingProcessor) Detect(ctx context.Context, f *pb.Frame) (*core.Detected, error) {
	p.seen <- f.GetSeq()
	if core.NewestWinsLane(ctx) != nil && f.GetSeq()%2 == 1 {
		return nil, fmt.Errorf("frame not processed: %w", core.ErrSuperseded)
	}
	return p.fakeProcessor.Detect(ctx, f)
}

// A live frame the server drops for a newer one is answered as dropped:
// the client counts it as superseded, never as processed or failed, the
// server's summary counts it, and no line or image is written for it. A
// file's frames are never dropped.
func TestSupersededLiveFramesAreDroppedNotDone(t *testing.T) {
	out := t.TempDir()
	proc := supersedingProcessor{seen: make(chan int64, 100)}
	c := serve(t, out, Config{Processor: proc}).rpc
	src := make(streamtest.Chan)
	go feedOneByOne(t, src, streamtest.GrayFrames(t, 20), proc.seen)
	sum, err := stream.NewClient(c).Run(context.Background(), src, stream.ClientConfig{Header: &pb.StreamHeader{Name: "cam", Live: true}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 20 || sum.Superseded != 10 || sum.Processed != 10 || sum.Failed != 0 {
		t.Errorf("live: sent %d, processed %d, superseded %d, failed %d; want 20, 10, 10, 0",
			sum.Sent, sum.Processed, sum.Superseded, sum.Failed)
	}
	if got := sum.Server.GetDropped(); got != sum.Superseded {
		t.Errorf("server summary: dropped %d, want %d", got, sum.Superseded)
	}
	if got := sum.Latency.Count(); got != sum.Processed {
		t.Errorf("latencies of %d results, want %d (dropped frames are no result)", got, sum.Processed)
	}
	lines := readLines(t, filepath.Join(out, "cam", folder.PredictionsFile))
	if int64(len(lines)) != sum.Processed {
		t.Errorf("%d predictions lines, want %d", len(lines), sum.Processed)
	}
	for _, l := range lines {
		var rec struct{ Seq int64 }
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Seq%2 == 1 {
			t.Errorf("line %q: a dropped frame recorded (err %v)", l, err)
		}
	}
	go func() {
		for range proc.seen {
		}
	}()
	file, err := runStream(t, c, &pb.StreamHeader{Name: "clip"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if file.Processed != 10 || file.Superseded != 0 {
		t.Errorf("file: processed %d, superseded %d; want 10 and 0", file.Processed, file.Superseded)
	}
}

// feedOneByOne sends frames on src one at a time, each once the server's
// processor has seen the one before (so that a live client sends them
// all), then closes src.
func feedOneByOne(t *testing.T, src streamtest.Chan, frames *streamtest.Frames, seen <-chan int64) {
	defer close(src)
	for f, err := frames.Next(context.Background()); err == nil; f, err = frames.Next(context.Background()) {
		src <- f
		select {
		case <-seen:
		case <-time.After(10 * time.Second):
			t.Errorf("frame %d never reached the processor", f.GetSeq())
			return
		}
	}
}
