package service

import (
	"context"
	"image/color"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// fakeProcessor "decodes" any frame with bytes and finds one box in it;
// a frame whose data is "junk" is a bad frame. No pixels are touched.
type fakeProcessor struct{}

func (fakeProcessor) Classes() []string { return []string{"thing"} }

func (fakeProcessor) Detect(ctx context.Context, f *pb.Frame) (*core.Detected, error) {
	if len(f.GetData()) == 0 || string(f.GetData()) == "junk" {
		return nil, core.ErrBadFrame
	}
	return &core.Detected{Width: 32, Height: 24, Channel: 3, Mean: float32(len(f.GetData()) % 256),
		Detections: []core.Detection{{Label: "thing", Score: 0.9, Box: core.Box{X: 1, Y: 2, W: 3, H: 4}}},
		Picture:    fakePicture(f.GetData())}, nil
}

// fakePicture "encodes" as the frame's own bytes.
type fakePicture []byte

func (p fakePicture) Annotate(dets []core.Detection, quality int, use func([]byte) error) error {
	return use(p)
}
func (fakePicture) Close() error { return nil }

// served is a service on the fake processor and a folder store, over
// in-memory gRPC.
type served struct {
	rpc pb.ImageProcedureClient
	log *lockedLog
	svc *Service
}

// lockedLog collects log output from any goroutine.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts a service writing to out with cfg's bounds.
func serve(t *testing.T, out string, cfg Config) *served {
	t.Helper()
	log := &lockedLog{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	store, err := folder.New(out, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if cfg.Processor == nil {
		cfg.Processor = fakeProcessor{}
	}
	cfg.Store, cfg.Model = store, record.Model{Kind: "mean"}
	cfg.Monitor, cfg.Log = monitor.New(logger), logger
	srv := grpc.NewServer()
	svc := New(cfg)
	pb.RegisterImageProcedureServer(srv, svc)
	return &served{rpc: pb.NewImageProcedureClient(streamtest.Dial(t, srv)), log: log, svc: svc}
}

// startServer serves a service writing to out.
func startServer(t *testing.T, out string) pb.ImageProcedureClient {
	t.Helper()
	return serve(t, out, Config{}).rpc
}

// grayFrames is n small PNG frames.
func grayFrames(t *testing.T, n int) stream.FrameSource { return streamtest.GrayFrames(t, n) }

// readLines reads a file's lines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func pngBytes(t testing.TB, w, h int, c color.Color) []byte { return streamtest.PNG(t, w, h, c) }
