package rig

import (
	"fmt"

	"errors"
	"sync"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	pb "github.com/framewire/framewire/proto"
	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect"
)

// WarmUpFrames is how many frames each variant runs once, unmeasured,
// before the rounds: first-use costs (page faults, OpenCV allocations,
// HTTP/2 windows) are not what the figures compare.
const WarmUpFrames = 16

// WarmUp runs each variant once on a few frames.
func WarmUp(frames []*pb.Frame, variants ...func([]*pb.Frame) (float64, error)) error {
	w := frames[:min(len(frames), WarmUpFrames)]
	for _, v := range variants {
		if _, err := v(w); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	return nil
}

// Stagers makes n detectors of m that can run their forward pass alone,
// each prepared with frame. The caller closes them with closeAll.
func Stagers(m ModelSpec, n int, frame *pb.Frame) ([]detect.Stager, error) {
	img, err := gocv.IMDecode(frame.GetData(), gocv.IMReadColor)
	if err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	defer img.Close()
	var out []detect.Stager
	for range n {
		d, err := detect.New(m.Cfg)
		if err != nil {
			return nil, errors.Join(err, CloseAll(out))
		}
		s, ok := d.(detect.Stager)
		if !ok {
			return nil, errors.Join(fmt.Errorf("%s cannot run its forward pass alone", m.Name), d.Close(), CloseAll(out))
		}
		out = append(out, s)
		if err := s.Prepare(img); err != nil {
			return nil, errors.Join(err, CloseAll(out))
		}
	}
	return out, nil
}

func CloseAll(ds []detect.Stager) error {
	var errs []error
	for _, d := range ds {
		errs = append(errs, d.Close())
	}
	return errors.Join(errs...)
}

// ForwardOnly runs n forward passes spread over the detectors, one
// goroutine each, and returns forward passes per second: what the cores
// deliver when they do nothing but inference.
func ForwardOnly(ds []detect.Stager, n int) (float64, error) {
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	start := time.Now()
	for i, d := range ds {
		share := n / len(ds)
		if i < n%len(ds) {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range share {
				if err := d.Forward(); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// ForwardTime is the median time of one forward pass of d alone.
func ForwardTime(d detect.Stager, n int) (time.Duration, error) {
	ts := make([]time.Duration, 0, n)
	for range n {
		t := time.Now()
		if err := d.Forward(); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(t))
	}
	return fig.Quantile(ts, 0.5), nil
}

// FwdSamples is how many forward passes forwardTime times.
const FwdSamples = 15
