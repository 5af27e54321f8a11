package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/dial"
)

// cycleSource yields n frames with seq 0..n-1, cycling through frames.
type cycleSource struct {
	frames []*pb.Frame
	n, i   int
}

func (c *cycleSource) Next(ctx context.Context) (*pb.Frame, error) {
	if c.i >= c.n {
		return nil, io.EOF
	}
	f := c.frames[c.i%len(c.frames)]
	c.i++
	return &pb.Frame{Seq: int64(c.i - 1), Encoding: f.Encoding, Data: f.Data, Width: f.Width, Height: f.Height}, nil
}

// rssKB reads a process's resident set size.
func rssKB(t *testing.T, pid int) int64 {
	t.Helper()
	kb, err := serverproc.RSSKB(pid)
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// maxRSSGrowthKB is the bound on server RSS growth over the load run,
// after warm-up (see the note on issue 3 for the measured figures).
const maxRSSGrowthKB = 40 << 10

// TestLoadFourStreamsNanoDet runs 4 concurrent streams of 1000 frames
// through NanoDet on a server built with gocv's matprofile tag: every
// stream completes in order in its own folder, no Mat leaks, and RSS stays
// within a bound of its post-warm-up size.
func TestLoadFourStreamsNanoDet(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	// The project's own copy of the default model: tested on every machine.
	model := filepath.Join("..", "models", "nanodet", "nanodet-m-320.onnx")
	if _, err := os.Stat(model); err != nil {
		t.Fatalf("the project's NanoDet-m 320 is missing: %v", err)
	}
	needFile(t, vtest, "opencv-doc")

	bin, err := serverproc.Build(context.Background(), t.TempDir(), "matprofile")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	s := startServerBin(t, bin, out, "--model", "nanodet", "--model-file", model)

	src, err := capture.Open(vtest, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var frames []*pb.Frame
	for range 100 {
		f, err := src.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	src.Close()

	conn, err := dial.Dial(s.addr, dial.Config{MaxMsgBytes: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := stream.NewClient(pb.NewImageProcedureClient(conn))
	runStream := func(name string, n int) error {
		sum, err := client.Run(context.Background(), &cycleSource{frames: frames, n: n}, stream.ClientConfig{
			Header: &pb.StreamHeader{Name: name, FrameCount: int64(n), Window: 8},
		})
		if err == nil && sum.Processed != int64(n) {
			err = fmt.Errorf("%s: %d of %d processed", name, sum.Processed, n)
		}
		return err
	}
	if err := runStream("warmup", 200); err != nil {
		t.Fatal(err)
	}
	warm := rssKB(t, s.Cmd.Process.Pid)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = runStream(fmt.Sprintf("load%d", i), 1000)
		}()
	}
	wg.Wait()
	after := rssKB(t, s.Cmd.Process.Pid)
	for i, err := range errs {
		if err != nil {
			t.Errorf("stream %d: %v", i, err)
		}
	}
	for i := range 4 {
		checkExactOutput(t, filepath.Join(out, fmt.Sprintf("load%d", i)), 1000)
	}
	t.Logf("server RSS: %d MiB after warm-up, %d MiB after 4x1000 frames (growth %d KiB, bound %d KiB)",
		warm>>10, after>>10, after-warm, maxRSSGrowthKB)
	if after-warm > maxRSSGrowthKB {
		t.Errorf("RSS grew by %d KiB, bound %d KiB", after-warm, maxRSSGrowthKB)
	}

	// Stop the server and read its count of open Mats.
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`open_mats=(\d+)`).FindStringSubmatch(s.Log())
	if m == nil {
		t.Fatalf("the matprofile server did not report open Mats:\n%s", s.Log())
	}
	if m[1] != "0" {
		t.Errorf("%s Mats left open after the run", m[1])
	}
}
