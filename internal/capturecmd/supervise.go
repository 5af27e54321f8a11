package capturecmd

import (
	"fmt"
	"io"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/capture/frameenc"
	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/capture/reconnect"
	"github.com/framewire/framewire/stream/sourcenews"
)

// source is --source's reader, kept going when live, paced and encoded.
type source struct {
	*frameenc.Source
	news  *sourcenews.News // a live source's news; nil for others
	files []string         // the images of a folder, glob or list, in order; nil for others
}

// openSource opens --source and composes around it reconnection when
// live (superviseLive), then pacing and encoding (capture.Encode).
func openSource(o *options, stderr io.Writer) (*source, error) {
	opts := captureOptions(o)
	r, err := capture.OpenReader(o.source, opts)
	if err != nil {
		return nil, err
	}
	src := &source{}
	if imgs, ok := r.(*capture.ImageReader); ok {
		src.files = imgs.Files()
	}
	r, src.news = superviseLive(r, o, stderr)
	src.Source = capture.Encode(r, opts)
	return src, nil
}

// superviseLive makes a live source reconnect when it is lost, telling
// stderr and the news (for the server and the summary); a finite source
// and photos are returned as they are, with no news.
func superviseLive(r frames.Reader, o *options, stderr io.Writer) (frames.Reader, *sourcenews.News) {
	if !r.Info().Live {
		return r, nil
	}
	news, opts := sourcenews.New(), captureOptions(o)
	return reconnect.New(r, func() (frames.Reader, error) { return capture.OpenReader(o.source, opts) }, reconnect.Config{
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
// value, plus the frame interval of --max-fps (as its help says).
func stallDeadline(o *options) time.Duration {
	if o.maxFPS > 0 {
		return o.stall + time.Duration(float64(time.Second)/o.maxFPS)
	}
	return o.stall
}
