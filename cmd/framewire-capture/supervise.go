package main

import (
	"fmt"
	"io"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/stream"
)

// superviseLive makes a live source reconnect when it is lost, telling
// stderr and news (for the server and the summary); a finite source and
// photos are returned as they are, with no news.
func superviseLive(src capture.Source, o *options, stderr io.Writer) (capture.Source, *stream.SourceNews) {
	if !src.Info().Live {
		return src, nil
	}
	news := stream.NewSourceNews()
	cfg := capture.ReconnectConfig{
		Stall:       stallDeadline(o),
		Backoff:     backoff.Policy{Min: sourceBackoffMin, Max: sourceBackoffMax},
		MaxAttempts: o.reconnectMax,
		OnLost: func(attempt int, wait time.Duration, err error) {
			fmt.Fprintf(stderr, "framewire-capture: source lost: %v; reopening in %v (attempt %d%s)\n",
				err, wait.Round(time.Millisecond), attempt, attemptsText(o.reconnectMax))
			news.Reconnecting(attempt, err.Error())
		},
		OnBack: func(outage time.Duration) {
			fmt.Fprintf(stderr, "framewire-capture: source back after %v without frames\n", outage.Round(time.Millisecond))
			news.Back(outage)
		},
	}
	return capture.NewReconnecting(src, capture.Reopen(o.source, captureOptions(o)), cfg), news
}

// The wait before reopening a lost live source doubles from
// sourceBackoffMin up to sourceBackoffMax: reopening a camera costs
// little, so the cap is short, to catch it soon after it is back.
const (
	sourceBackoffMin = 100 * time.Millisecond
	sourceBackoffMax = 2 * time.Second
)

// stallDeadline is how long a live source may give no frame: the flag's
// value, plus the frame interval of --max-fps, which holds frames back.
func stallDeadline(o *options) time.Duration {
	if o.maxFPS > 0 {
		return o.stall + time.Duration(float64(time.Second)/o.maxFPS)
	}
	return o.stall
}

// attemptsText is " of N" when the reopening attempts are bounded.
func attemptsText(max int) string {
	if max == 0 {
		return ""
	}
	return fmt.Sprintf(" of %d", max)
}
