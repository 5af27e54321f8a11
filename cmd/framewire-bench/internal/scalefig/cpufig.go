package scalefig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	"github.com/framewire/framewire/server/detect"
)

// cpuRound is one round of figure l: the floor and the pipeline's CPU a
// frame, NanoDet and mean.
type cpuRound struct {
	floor                floor
	server, client       float64 // NanoDet pipeline, CPU ms a frame
	meanServer, meanClnt float64 // mean model pipeline, CPU ms a frame
}

// CPUPerFrame is figure l: the CPU framewire-server and framewire-capture
// spend a frame of the video (NanoDet-320, every frame annotated and
// written, from the processes' own accounting) against the floor (the
// three stages no frame processor can skip, on one core), round by round
// in the same run; and the same with the mean model against decoding and
// encoding alone.
func (b *Bench) CPUPerFrame(ctx context.Context) (_ []fig.Figure, err error) {
	m, err := b.nanodet320()
	if err != nil {
		return b.Skip("l", "CPU a frame / floor", err.Error()), nil
	}
	dir := filepath.Join(b.Tmp, "cpu")
	// The runs' files are removed only at the end: on ext4 without a
	// journal (this machine's disk) a new file's inode skips, one by one,
	// those freed in the last 30 s, so a run would pay for the files of
	// the one before it (openat took 3.7 % of the server's CPU samples in
	// a run right after 795 files were removed, 0.2 % otherwise).
	defer os.RemoveAll(dir)
	srvBin, capBin, err := binaries(ctx, dir)
	if err != nil {
		return nil, err
	}
	det, err := b.startServer(ctx, srvBin, filepath.Join(dir, "out-nanodet"), m)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, det.Stop()) }()
	mean, err := b.startServer(ctx, srvBin, filepath.Join(dir, "out-mean"), rig.MeanModel())
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, mean.Stop()) }()
	var rounds []cpuRound
	for range b.O.Rounds {
		r, err := b.cpuRound(ctx, m, capBin, det, mean, dir)
		if err != nil {
			return nil, err
		}
		rounds = append(rounds, r)
	}
	figs := b.cpuFigures(rounds)
	sizes, err := b.sizesFigures(ctx, m, capBin, det, dir)
	return append(figs, sizes...), err
}

// cpuRound measures the floor, then the NanoDet pipeline, then the mean one.
func (b *Bench) cpuRound(ctx context.Context, m rig.ModelSpec, capBin string, det, mean *serverproc.Proc, dir string) (r cpuRound, err error) {
	defer func() { err = errors.Join(err, resetThreads(b.O.CVThreads)) }()
	if r.floor, err = measureFloor(m, b.O.Video, filepath.Join(dir, b.StreamName("floor"))); err != nil {
		return r, fmt.Errorf("floor: %w", err)
	}
	if err := resetThreads(b.O.CVThreads); err != nil {
		return r, err
	}
	if r.server, r.client, err = b.pipelineCPU(ctx, capBin, det, filepath.Join(dir, "out-nanodet")); err != nil {
		return r, err
	}
	r.meanServer, r.meanClnt, err = b.pipelineCPU(ctx, capBin, mean, filepath.Join(dir, "out-mean"))
	return r, err
}

// resetThreads sets OpenCV's threads back to the bench's.
func resetThreads(n int) error { return detect.SetThreads(n) }

// pipelineCPU streams the video through srv and returns the server's and
// the client's CPU ms a frame.
func (b *Bench) pipelineCPU(ctx context.Context, capBin string, srv *serverproc.Proc, out string) (server, client float64, err error) {
	before, err := rig.CPUTime(srv.Cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	run, err := b.runCapture(ctx, capBin, srv, out, b.StreamName("cpu"), b.O.Video)
	if err != nil {
		return 0, 0, err
	}
	after, err := rig.CPUTime(srv.Cmd.Process.Pid)
	if err != nil || run.frames == 0 {
		return 0, 0, errors.Join(err, errors.New("no frame recorded"))
	}
	n := float64(run.frames)
	return ms(after-before) / n, run.clientCPU / n, nil
}

// cpuFigures prints and returns l's figures from the rounds' medians.
func (b *Bench) cpuFigures(rs []cpuRound) []fig.Figure {
	med := func(get func(cpuRound) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = get(r)
		}
		return fig.Median(xs)
	}
	dec, fwd, enc := med(func(r cpuRound) float64 { return r.floor.decode }), med(func(r cpuRound) float64 { return r.floor.forward }), med(func(r cpuRound) float64 { return r.floor.encodeWrite })
	srv, cl := med(func(r cpuRound) float64 { return r.server }), med(func(r cpuRound) float64 { return r.client })
	ratio := med(func(r cpuRound) float64 { return (r.server + r.client) / r.floor.total() })
	det := fig.NewFigure("l", "CPU a frame, server+client / floor, nanodet-320", "CPU ratio", ratio, &fig.Target{Op: "<=", Bound: 1.2},
		fig.Value{Name: "server", Value: srv, Unit: " ms"}, fig.Value{Name: "client", Value: cl, Unit: " ms"},
		fig.Value{Name: "floor", Value: dec + fwd + enc, Unit: " ms"}, fig.Value{Name: "decode", Value: dec, Unit: " ms"},
		fig.Value{Name: "forward+blob", Value: fwd, Unit: " ms"}, fig.Value{Name: "encode+write", Value: enc, Unit: " ms"},
		fig.Value{Name: "fsync (wall, not in floor)", Value: med(func(r cpuRound) float64 { return r.floor.fsyncWall }), Unit: " ms"})
	msrv, mcl := med(func(r cpuRound) float64 { return r.meanServer }), med(func(r cpuRound) float64 { return r.meanClnt })
	mratio := med(func(r cpuRound) float64 { return (r.meanServer + r.meanClnt) / (r.floor.decode + r.floor.encodeWrite) })
	mean := fig.NewFigure("l", "CPU a frame, server+client / floor, mean", "CPU ratio", mratio, nil,
		fig.Value{Name: "server", Value: msrv, Unit: " ms"}, fig.Value{Name: "client", Value: mcl, Unit: " ms"},
		fig.Value{Name: "decode+encode+write", Value: dec + enc, Unit: " ms"})
	b.P.Figure(det)
	b.P.Figure(mean)
	return []fig.Figure{det, mean}
}
