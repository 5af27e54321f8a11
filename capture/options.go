package capture

import (
	"fmt"
	"math"
	"time"

	"github.com/framewire/framewire/capture/frameenc"
)

// defaultQuality is the JPEG quality used when Options.Quality is 0.
const defaultQuality = 90

// Options controls how frames are encoded and paced. The zero value encodes at
// JPEG quality 90, keeps the source size and does not cap the frame rate.
type Options struct {
	// Quality is the JPEG quality 1..100; 0 means 90.
	Quality int
	// Width and Height resize frames before encoding; 0,0 keeps the source size.
	// If only one is set the other follows from the source aspect ratio.
	Width, Height int
	// MaxFPS caps the frame rate; 0 means no cap. Live sources drop frames that
	// arrive too early (before they are encoded), finite sources make Next wait.
	MaxFPS float64
	// Raw sends frames as uncompressed BGR pixels instead of JPEG: nothing
	// to encode here or to decode on the server, and no loss, at 3 bytes a
	// pixel on the wire. It suits a server on the same machine. Photos that
	// are JPEG or PNG files still go as they are.
	Raw bool
	// MaxRawBytes is the largest raw frame; a larger one goes as JPEG.
	// 0 means no limit.
	MaxRawBytes int
}

// withDefaults is o with its defaults filled in.
func (o Options) withDefaults() Options {
	if o.Quality == 0 {
		o.Quality = defaultQuality
	}
	return o
}

// normalize validates o and fills in defaults.
func (o Options) normalize() (Options, error) {
	o = o.withDefaults()
	if o.Quality < 1 || o.Quality > 100 {
		return o, fmt.Errorf("invalid JPEG quality %d: want 1..100 (0 for %d)", o.Quality, defaultQuality)
	}
	if o.Width < 0 || o.Height < 0 {
		return o, fmt.Errorf("invalid size %dx%d: want non-negative width and height", o.Width, o.Height)
	}
	if o.MaxRawBytes < 0 {
		return o, fmt.Errorf("invalid MaxRawBytes %d: want >= 0", o.MaxRawBytes)
	}
	if o.MaxFPS < 0 || math.IsNaN(o.MaxFPS) || math.IsInf(o.MaxFPS, 0) {
		return o, fmt.Errorf("invalid MaxFPS %v: want a finite value >= 0", o.MaxFPS)
	}
	return o, nil
}

// interval is the minimum time between two frames, 0 when there is no cap.
func (o Options) interval() time.Duration {
	if o.MaxFPS == 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / o.MaxFPS)
}

// encoding is the encoder configuration of o.
func (o Options) encoding() frameenc.Config {
	return frameenc.Config{Quality: o.Quality, Width: o.Width, Height: o.Height, Raw: o.Raw, MaxRawBytes: o.MaxRawBytes}
}

// SendsRaw says whether a w x h BGR frame (after any resize) goes as raw
// pixels under o, before any limit the server sets.
func (o Options) SendsRaw(w, h int) bool { return o.encoding().SendsRaw(w, h) }
