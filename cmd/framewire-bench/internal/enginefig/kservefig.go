package enginefig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/kserve"
)

// latencyCalls is how many frames each engine detects one at a time for
// g's added latency.
const latencyCalls = 50

// KserveCost is figure g: the cost of offloading the forward pass. The
// same frames through the pipeline in-process on the local ONNX Runtime
// engine and on --engine kserve to one framewire-server backend (the real
// binary) on this machine; and one frame at a time, the latency the
// round trip adds to a frame's detection.
func (b *Bench) KserveCost(ctx context.Context) (figs []fig.Figure, err error) {
	local, err := rig.Nanodet("nanodet-320", b.O.Model320)
	if err != nil {
		return b.Skip("g", "kserve offload nanodet-320", err.Error()), nil
	}
	frames, err := b.LoadFrames(ctx, b.O.Frames)
	if err != nil {
		return nil, err
	}
	backend, err := b.startBackend(ctx, local.Cfg.ModelFile)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, backend.Stop()) }()
	client, err := kserve.Dial(ctx, kserve.Config{Addrs: []string{backend.Addr}, Model: detect.KindNanodet})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	remote := local
	remote.Name, remote.Cfg.Engine, remote.Cfg.Remote = "nanodet-320 kserve", detect.EngineKServe, client
	f, err := b.kserveCostOf(ctx, local, remote, frames)
	if err != nil {
		return nil, err
	}
	b.P.Figure(f)
	return []fig.Figure{f}, nil
}

// startBackend runs framewire-server with the model on the bench's workers.
func (b *Bench) startBackend(ctx context.Context, model string) (*serverproc.Proc, error) {
	return b.StartServer(ctx, "kserve", "--model", detect.KindNanodet, "--model-file", model)
}

func (b *Bench) kserveCostOf(ctx context.Context, local, remote rig.ModelSpec, frames []*pb.Frame) (_ fig.Figure, err error) {
	lr, err := b.NewRig(local, b.O.Workers, b.O.Window)
	if err != nil {
		return fig.Figure{}, err
	}
	defer func() { err = errors.Join(err, lr.Close()) }()
	rr, err := b.NewRig(remote, b.O.Workers, b.O.Window)
	if err != nil {
		return fig.Figure{}, err
	}
	defer func() { err = errors.Join(err, rr.Close()) }()
	onLocal := func(fs []*pb.Frame) (float64, error) { return b.RunInProcess(ctx, lr, fs) }
	onRemote := func(fs []*pb.Frame) (float64, error) { return b.RunInProcess(ctx, rr, fs) }
	if err := rig.WarmUp(frames, onLocal, onRemote); err != nil {
		return fig.Figure{}, err
	}
	s, err := fig.Interleave(b.O.Rounds,
		func() (float64, error) { return onLocal(frames) },
		func() (float64, error) { return onRemote(frames) })
	if err != nil {
		return fig.Figure{}, err
	}
	lat, err := detectLatencies(frames[0], local.Cfg, remote.Cfg)
	if err != nil {
		return fig.Figure{}, err
	}
	return fig.NewFigure("g", "kserve offload nanodet-320, one backend on this machine", "kserve/local fps", fig.PairedRatio(s[1], s[0]), nil,
		fig.Value{Name: "local onnxruntime", Value: fig.Median(s[0]), Unit: " fps"}, fig.Value{Name: "kserve", Value: fig.Median(s[1]), Unit: " fps"},
		fig.Value{Name: "detect 1 frame local", Value: lat[0], Unit: "ms"}, fig.Value{Name: "kserve", Value: lat[1], Unit: "ms"},
		fig.Value{Name: "added latency", Value: lat[1] - lat[0], Unit: "ms"}), nil
}

// detectLatencies is, per config, the median time in ms of one Detect on
// frame, one call at a time, the configs interleaved call by call.
func detectLatencies(frame *pb.Frame, cfgs ...detect.Config) ([]float64, error) {
	img, err := gocv.IMDecode(frame.GetData(), gocv.IMReadColor)
	if err != nil {
		return nil, fmt.Errorf("decode a frame: %w", err)
	}
	defer img.Close()
	var dets []detect.Detector
	defer func() {
		for _, d := range dets {
			d.Close()
		}
	}()
	for _, c := range cfgs {
		d, err := detect.New(c)
		if err != nil {
			return nil, err
		}
		dets = append(dets, d)
	}
	return medianDetectMS(img, dets)
}

// medianDetectMS calls each detector on img latencyCalls times, in turn,
// and returns each one's median time in ms.
func medianDetectMS(img gocv.Mat, dets []detect.Detector) ([]float64, error) {
	times := make([][]float64, len(dets))
	for range latencyCalls {
		for i, d := range dets {
			start := time.Now()
			if _, err := d.Detect(img); err != nil {
				return nil, err
			}
			times[i] = append(times[i], fig.MS(time.Since(start)))
		}
	}
	out := make([]float64, len(dets))
	for i, ts := range times {
		out[i] = fig.Median(ts)
	}
	return out, nil
}
