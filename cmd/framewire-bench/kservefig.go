package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/cmd/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/kserve"
)

// latencyCalls is how many frames each engine detects one at a time for
// g's added latency.
const latencyCalls = 50

// kserveCost is figure g: the cost of offloading the forward pass. The
// same frames through the pipeline in-process on the local ONNX Runtime
// engine and on --engine kserve to one framewire-server backend (the real
// binary) on this machine; and one frame at a time, the latency the
// round trip adds to a frame's detection.
func (b *bench) kserveCost(ctx context.Context) (figs []figure, err error) {
	local, err := nanodet("nanodet-320", b.o.Model320)
	if err != nil {
		f := skipped("g", "kserve offload nanodet-320", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
	}
	frames, err := b.loadFrames(ctx, b.o.Frames)
	if err != nil {
		return nil, err
	}
	backend, err := b.startBackend(ctx, local.cfg.ModelFile)
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
	remote.name, remote.cfg.Engine, remote.cfg.Remote = "nanodet-320 kserve", detect.EngineKServe, client
	f, err := b.kserveCostOf(ctx, local, remote, frames)
	if err != nil {
		return nil, err
	}
	b.p.figure(f)
	return []figure{f}, nil
}

// startBackend runs framewire-server with the model on the bench's workers.
func (b *bench) startBackend(ctx context.Context, model string) (*serverproc.Proc, error) {
	dir := filepath.Join(b.tmp, "kserve")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", dir, err)
	}
	bin, err := serverproc.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	return serverproc.Start(ctx, bin, "--out", filepath.Join(dir, "out"), "--model", detect.KindNanodet,
		"--model-file", model, "--workers", strconv.Itoa(b.o.Workers))
}

func (b *bench) kserveCostOf(ctx context.Context, local, remote modelSpec, frames []*pb.Frame) (figure, error) {
	lr, err := b.newRig(local, b.o.Workers, b.o.Window)
	if err != nil {
		return figure{}, err
	}
	defer lr.close()
	rr, err := b.newRig(remote, b.o.Workers, b.o.Window)
	if err != nil {
		return figure{}, err
	}
	defer rr.close()
	onLocal := func(fs []*pb.Frame) (float64, error) { return b.runInProcess(ctx, lr, fs) }
	onRemote := func(fs []*pb.Frame) (float64, error) { return b.runInProcess(ctx, rr, fs) }
	if err := warmUp(frames, onLocal, onRemote); err != nil {
		return figure{}, err
	}
	s, err := interleave(b.o.Rounds,
		func() (float64, error) { return onLocal(frames) },
		func() (float64, error) { return onRemote(frames) })
	if err != nil {
		return figure{}, err
	}
	lat, err := detectLatencies(frames[0], local.cfg, remote.cfg)
	if err != nil {
		return figure{}, err
	}
	return newFigure("g", "kserve offload nanodet-320, one backend on this machine", "kserve/local fps", pairedRatio(s[1], s[0]), nil,
		value{"local onnxruntime", median(s[0]), " fps"}, value{"kserve", median(s[1]), " fps"},
		value{"detect 1 frame local", lat[0], "ms"}, value{"kserve", lat[1], "ms"},
		value{"added latency", lat[1] - lat[0], "ms"}), nil
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
	times := make([][]float64, len(cfgs))
	for range latencyCalls {
		for i, d := range dets {
			start := time.Now()
			if _, err := d.Detect(img); err != nil {
				return nil, err
			}
			times[i] = append(times[i], ms(time.Since(start)))
		}
	}
	out := make([]float64, len(cfgs))
	for i, ts := range times {
		out[i] = median(ts)
	}
	return out, nil
}
