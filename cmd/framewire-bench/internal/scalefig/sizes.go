package scalefig

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
)

// frameSizes are the sizes l compares, each a clip of sizeFrames frames
// of the video scaled with ffmpeg.
func frameSizes() [][2]int { return [][2]int{{320, 240}, {768, 576}, {1920, 1080}} }

// sizeFrames is the length of each size's clip.
const sizeFrames = 150

// sizesFigures measures, once per frame size, the floor and the NanoDet
// pipeline's CPU a frame on a clip of the video at that size; skipped
// with a line when ffmpeg is missing.
func (b *Bench) sizesFigures(ctx context.Context, m rig.ModelSpec, capBin string, det *serverproc.Proc, dir string) ([]fig.Figure, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return b.Skip("l", "CPU a frame by frame size", "ffmpeg not found (apt-get install ffmpeg)"), nil
	}
	var figs []fig.Figure
	for _, sz := range frameSizes() {
		clip := filepath.Join(dir, fmt.Sprintf("clip-%dx%d.avi", sz[0], sz[1]))
		if err := scaleClip(ctx, b.O.Video, clip, sz[0], sz[1]); err != nil {
			return figs, err
		}
		r, err := b.sizeRound(ctx, m, capBin, det, clip, dir)
		if err != nil {
			return figs, err
		}
		f := fig.NewFigure("l", fmt.Sprintf("CPU a frame / floor, nanodet-320, %dx%d", sz[0], sz[1]), "CPU ratio", (r.server+r.client)/r.floor.total(), nil,
			fig.Value{Name: "server", Value: r.server, Unit: " ms"}, fig.Value{Name: "client", Value: r.client, Unit: " ms"},
			fig.Value{Name: "floor", Value: r.floor.total(), Unit: " ms"}, fig.Value{Name: "decode", Value: r.floor.decode, Unit: " ms"},
			fig.Value{Name: "forward+blob", Value: r.floor.forward, Unit: " ms"}, fig.Value{Name: "encode+write", Value: r.floor.encodeWrite, Unit: " ms"})
		b.P.Figure(f)
		figs = append(figs, f)
	}
	return figs, nil
}

// sizeRound is cpuRound's NanoDet part on one clip.
func (b *Bench) sizeRound(ctx context.Context, m rig.ModelSpec, capBin string, det *serverproc.Proc, clip, dir string) (cpuRound, error) {
	var r cpuRound
	var err error
	if r.floor, err = measureFloor(m, clip, filepath.Join(dir, b.StreamName("floor"))); err != nil {
		return r, fmt.Errorf("floor of %s: %w", clip, err)
	}
	if err := resetThreads(b.O.CVThreads); err != nil {
		return r, err
	}
	video := b.O.Video
	b.O.Video = clip
	defer func() { b.O.Video = video }()
	r.server, r.client, err = b.pipelineCPU(ctx, capBin, det, filepath.Join(dir, "out-nanodet"))
	return r, err
}

// scaleClip writes the first sizeFrames frames of video scaled to w x h
// as MPEG-4 Part 2 (vtest.avi's own codec), at high quality.
func scaleClip(ctx context.Context, video, clip string, w, h int) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-y", "-i", video, "-frames:v", fmt.Sprint(sizeFrames),
		"-vf", fmt.Sprintf("scale=%d:%d", w, h), "-c:v", "mpeg4", "-q:v", "3", "-an", clip)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg %s at %dx%d: %w\n%s", video, w, h, err, out)
	}
	return nil
}
