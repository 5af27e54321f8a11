package capturecmd

import (
	"fmt"
	"io"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/capture/reconnect"
	"github.com/framewire/framewire/stream/sourcenews"
)

// superviseLive makes a live source reconnect when it is lost, telling
// stderr and the news (for the server and the summary); a finite source
// and photos are returned as they are, with no news.
func superviseLive(src capture.Source, o *options, stderr io.Writer) (capture.Source, *sourcenews.News) {
	if !src.Info().Live {
		return src, nil
	}
	news, opts := sourcenews.New(), captureOptions(o)
	return reconnect.New(src, func() (capture.Source, error) { return capture.OpenSource(o.source, opts) }, reconnect.Config{
		Stall: stallDeadline(o), MaxAttempts: o.reconnectMax,
		OnLost: func(attempt int, wait time.Duration, err error) {
			fmt.Fprintf(stderr, "framewire-capture: source lost: %v; reopening in %v (attempt %d)\n", err, wait.Round(time.Millisecond), attempt)
			news.Reconnecting(attempt, err.Error())
		},
		OnBack: func(outage time.Duration) {
			fmt.Fprintf(stderr, "framewire-capture: source back after %v without frames\n", outage.Round(time.Millisecond))
			news.Back(outage)
		},
	}), news
}

// stallDeadline is how long a live source may give no frame: the flag's
// value, plus the frame interval of --max-fps, which holds frames back.
func stallDeadline(o *options) time.Duration {
	if o.maxFPS > 0 {
		return o.stall + time.Duration(float64(time.Second)/o.maxFPS)
	}
	return o.stall
}
