package scalefig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/pixels/drawing"
)

// floorBytes bounds the decoded frames the floor keeps for its later
// stages: 1.5 GB holds every frame of vtest.avi (795 at 768x576) and of
// the 150-frame 1920x1080 clip, so the floor runs on the very frames the
// pipeline does.
const floorBytes = 1536 << 20

// floor is the CPU one frame needs at the least, per stage, in ms.
type floor struct {
	decode, forward, encodeWrite float64
	fsyncWall                    float64 // one fsync of the JPEG, wall ms
}

func (f floor) total() float64 { return f.decode + f.forward + f.encodeWrite }

// processCPU is the CPU time this process has used, microsecond exact.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureFloor measures the three stages no frame processor can skip on
// one core (OpenCV and ONNX Runtime on one thread each), stage after
// stage on the video's frames, as many as floorBytes holds: decoding, the
// NanoDet forward pass with its input blob and output decoding, and
// encoding plus writing the annotated JPEG.
func measureFloor(m rig.ModelSpec, video, dir string) (fl floor, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := detect.SetThreads(1); err != nil {
		return fl, err
	}
	imgs, decodeMS, err := decodeFloor(video)
	defer func() {
		for _, img := range imgs {
			img.Close()
		}
	}()
	if err != nil {
		return fl, err
	}
	fl.decode = decodeMS
	dets, fwd, err := forwardFloor(m, imgs)
	if err != nil {
		return fl, err
	}
	fl.forward = fwd
	fl.encodeWrite, fl.fsyncWall, err = encodeWriteFloor(imgs, dets, dir)
	return fl, err
}

// decodeFloor times decoding the frames of video into one reused image
// (CPU ms a frame), as many as floorBytes holds of the first one's size,
// then decodes them again, keeping each.
func decodeFloor(video string) ([]gocv.Mat, float64, error) {
	vc, err := gocv.VideoCaptureFile(video)
	if err != nil {
		return nil, 0, fmt.Errorf("open %s: %w", video, err)
	}
	img := gocv.NewMat()
	defer img.Close()
	start, n := processCPU(), 0
	limit := 1
	for ; n < limit && vc.Read(&img) && !img.Empty(); n++ {
		if n == 0 {
			limit = max(1, floorBytes/int(img.Total()*img.ElemSize()))
		}
	}
	cpu := processCPU() - start
	vc.Close()
	if n == 0 {
		return nil, 0, fmt.Errorf("%s: no frame decoded", video)
	}
	imgs, err := keepFrames(video, n)
	return imgs, ms(cpu) / float64(n), err
}

// keepFrames decodes the first n frames of video, each into its own image.
func keepFrames(video string, n int) ([]gocv.Mat, error) {
	vc, err := gocv.VideoCaptureFile(video)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", video, err)
	}
	defer vc.Close()
	var imgs []gocv.Mat
	for range n {
		img := gocv.NewMat()
		if !vc.Read(&img) || img.Empty() {
			img.Close()
			break
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}

// forwardFloor runs m on one thread on every image and returns the
// detections and the CPU ms a frame took (after one warm-up pass).
func forwardFloor(m rig.ModelSpec, imgs []gocv.Mat) ([][]core.Detection, float64, error) {
	cfg := m.Cfg
	cfg.Threads = 1
	d, err := detect.New(cfg)
	if err != nil {
		return nil, 0, err
	}
	defer d.Close()
	if _, err := d.Detect(imgs[0]); err != nil {
		return nil, 0, err
	}
	dets := make([][]core.Detection, len(imgs))
	start := processCPU()
	for i, img := range imgs {
		if dets[i], err = d.Detect(img); err != nil {
			return nil, 0, err
		}
	}
	return dets, ms(processCPU()-start) / float64(len(imgs)), nil
}

// encodeWriteFloor draws, encodes (quality 90, as the server) and writes
// every image's JPEG into dir (a new folder, left to the caller), and returns the CPU ms a frame took and
// the median wall ms of one fsync of such a file (not in the floor).
func encodeWriteFloor(imgs []gocv.Mat, dets [][]core.Detection, dir string) (cpuMS, fsyncMS float64, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	for i := range imgs {
		drawing.Draw(&imgs[i], dets[i])
	}
	var syncs []time.Duration
	var cpu time.Duration
	for i, img := range imgs {
		start := processCPU()
		path := filepath.Join(dir, fmt.Sprintf("%08d.jpg", i))
		if err := encodeWrite(img, path); err != nil {
			return 0, 0, err
		}
		cpu += processCPU() - start
		d, err := fsyncFile(path)
		if err != nil {
			return 0, 0, err
		}
		syncs = append(syncs, d)
	}
	return ms(cpu) / float64(len(imgs)), fig.MS(fig.Quantile(syncs, 0.5)), nil
}

// encodeWrite encodes img as a JPEG of quality 90 and writes it to path.
func encodeWrite(img gocv.Mat, path string) error {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, 90})
	if err != nil {
		return err
	}
	defer buf.Close()
	return os.WriteFile(path, buf.GetBytes(), 0o644)
}

// fsyncFile opens path and syncs it, and returns how long the sync took.
func fsyncFile(path string) (time.Duration, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	err = f.Sync()
	d := time.Since(start)
	return d, errors.Join(err, f.Close())
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return fig.MS(d) }
