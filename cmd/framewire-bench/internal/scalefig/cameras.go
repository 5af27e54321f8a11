package scalefig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// cameraPipeline is a live 640x480 GStreamer test camera at 5 fps.
const cameraPipeline = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=480,framerate=5/1 ! videoconvert ! appsink"

// cameraWindow is the stretch at the start and at the end of the run
// whose p99 latencies are compared.
const cameraWindow = 30 * time.Second

// camSample is one result of one camera.
type camSample struct {
	at, latency time.Duration
	processUs   int64 // the server's decode + inference + draw + write
}

// camera is one live client's outcome.
type camera struct {
	samples []camSample
	sum     *stream.Summary
}

// Cameras is figure n: b.O.Cameras live GStreamer test cameras (640x480,
// 5 fps, raw frames as framewire-capture sends to a server on the same
// machine, window 2) on one framewire-server (NanoDet-320) for
// CamerasDuration: latency, its growth, fairness, drops and memory.
func (b *Bench) Cameras(ctx context.Context) (_ []fig.Figure, err error) {
	m, err := b.nanodet320()
	if err != nil {
		return b.Skip("n", "live cameras on one server", err.Error()), nil
	}
	dir := filepath.Join(b.Tmp, "cameras")
	srvBin, err := serverproc.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	srv, err := b.startServer(ctx, srvBin, filepath.Join(dir, "out"), m, "--max-streams", fmt.Sprint(b.O.Cameras))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Stop()) }()
	rss0, err := serverproc.RSSKB(srv.Cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	cams, err := b.runCameras(ctx, srv.Addr)
	if err != nil {
		return nil, err
	}
	rss, err := serverproc.RSSKB(srv.Cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	return b.cameraFigures(cams, rss0, rss), nil
}

// runCameras runs the cameras at once until CamerasDuration has passed.
func (b *Bench) runCameras(ctx context.Context, addr string) ([]camera, error) {
	cams := make([]camera, b.O.Cameras)
	errs := make([]error, b.O.Cameras)
	stop, cancel := context.WithTimeout(ctx, b.O.CamerasDuration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range cams {
		wg.Go(func() { cams[i], errs[i] = b.runCamera(ctx, stop, addr, start) })
	}
	wg.Wait()
	return cams, errors.Join(errs...)
}

// runCamera streams one test camera to addr until stop ends.
func (b *Bench) runCamera(ctx, stop context.Context, addr string, start time.Time) (camera, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(rig.MaxMsg), grpc.MaxCallRecvMsgSize(rig.MaxMsg)))
	if err != nil {
		return camera{}, err
	}
	defer conn.Close()
	src, err := capture.Open(cameraPipeline, capture.Options{Raw: true})
	if err != nil {
		return camera{}, fmt.Errorf("open the test camera: %w", err)
	}
	defer src.Close()
	var c camera
	c.sum, err = stream.NewClient(pb.NewImageProcedureClient(conn)).Run(ctx, stream.Until(stop, src), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: b.StreamName("cam"), Source: "videotestsrc", Live: true, Window: 2},
		OnResult: func(res *pb.FrameResult, lat time.Duration) {
			t := res.GetTimings()
			c.samples = append(c.samples, camSample{at: time.Since(start), latency: lat,
				processUs: t.GetDecodeUs() + t.GetInferenceUs() + t.GetAnnotateUs() + t.GetWriteUs()})
		},
	})
	return c, err
}

// cameraFigures prints and returns n's figures: latency p50 against one
// round of the streams, p99 of the last window over the first, the
// slowest camera's fps over the fastest's, and memory per camera.
func (b *Bench) cameraFigures(cams []camera, rss0, rss int64) []fig.Figure {
	var all, first, last []time.Duration
	var proc []time.Duration
	var fps []float64
	var results, dropped, superseded int64
	total := b.O.CamerasDuration
	for _, c := range cams {
		for _, s := range c.samples {
			all, proc = append(all, s.latency), append(proc, time.Duration(s.processUs)*time.Microsecond)
			switch {
			case s.at < cameraWindow:
				first = append(first, s.latency)
			case s.at >= total-cameraWindow:
				last = append(last, s.latency)
			}
		}
		results += int64(len(c.samples))
		dropped, superseded = dropped+c.sum.Dropped, superseded+c.sum.Superseded
		fps = append(fps, float64(len(c.samples))/total.Seconds())
	}
	n := float64(len(cams))
	totalFPS := float64(results) / total.Seconds()
	bound := 1.5*n/totalFPS*1000 + fig.MS(fig.Quantile(proc, 0.5))
	title := fmt.Sprintf("%d live cameras 640x480 5 fps", len(cams))
	lat := fig.NewFigure("n", title+": latency p50", "ms", fig.MS(fig.Quantile(all, 0.5)), &fig.Target{Op: "<=", Bound: bound},
		fig.Value{Name: "p95", Value: fig.MS(fig.Quantile(all, 0.95)), Unit: " ms"}, fig.Value{Name: "total", Value: totalFPS, Unit: " fps"},
		fig.Value{Name: "one round (cameras / fps)", Value: n / totalFPS * 1000, Unit: " ms"},
		fig.Value{Name: "processing p50", Value: fig.MS(fig.Quantile(proc, 0.5)), Unit: " ms"},
		fig.Value{Name: "dropped by the clients", Value: float64(dropped)}, fig.Value{Name: "dropped by the server", Value: float64(superseded)})
	figs := []fig.Figure{lat, b.cameraDrift(first, last),
		fig.NewFigure("n", title+": slowest / fastest camera", "fps ratio", slices.Min(fps)/slices.Max(fps), &fig.Target{Op: ">=", Bound: 0.8},
			fig.Value{Name: "slowest", Value: slices.Min(fps), Unit: " fps"}, fig.Value{Name: "fastest", Value: slices.Max(fps), Unit: " fps"}),
		fig.NewFigure("n", title+": server RSS per camera", "MB", float64(rss-rss0)/1024/n, nil,
			fig.Value{Name: "RSS idle", Value: float64(rss0) / 1024, Unit: " MB"}, fig.Value{Name: "RSS with the cameras", Value: float64(rss) / 1024, Unit: " MB"})}
	for _, f := range figs {
		b.P.Figure(f)
	}
	return figs
}

// cameraDrift is n's drift figure: p99 of the last window over the first.
func (b *Bench) cameraDrift(first, last []time.Duration) fig.Figure {
	if len(first) == 0 || len(last) == 0 || b.O.CamerasDuration < 2*cameraWindow {
		return fig.Skipped("n", "live cameras: latency drift", fmt.Sprintf("a run of %s is too short: drift compares the first and last %s", b.O.CamerasDuration, cameraWindow))
	}
	p0, p1 := fig.Quantile(first, 0.99), fig.Quantile(last, 0.99)
	return fig.NewFigure("n", "live cameras: p99 last 30 s / first 30 s", "ratio", float64(p1)/float64(p0), &fig.Target{Op: "<=", Bound: 1.2},
		fig.Value{Name: "p99 first 30 s", Value: fig.MS(p0), Unit: " ms"}, fig.Value{Name: "p99 last 30 s", Value: fig.MS(p1), Unit: " ms"})
}
