// Package server puts a framewire server together: the pixel processor
// (OpenCV), the output store (a folder, or the store a URL names), the monitor, the ImageProcedure
// service, the Open Inference Protocol service, gRPC health and
// reflection, and the HTTP live view and metrics. New builds it; Serve runs
// it on a listener until its context ends, then drains. The commands and
// the benchmark use it the same way.
package server

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/webhook"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/serving"
)

// Config is everything a Server needs.
type Config struct {
	// OutDir is the output store: a folder (one folder per stream in it)
	// or a URL whose scheme names a store of StoreSchemes ("file:///srv/out";
	// docs/stores.md).
	OutDir string
	// Model selects the detector; every worker loads its own.
	Model detect.Config
	// Workers is the number of frames processed at once (0 = one per CPU
	// this process may use: a container's CPU limit counts).
	Workers int
	// MaxPixels refuses larger frames before decoding (0 = 8K).
	MaxPixels int64
	// JPEGQuality of the annotated images (0 = 90).
	JPEGQuality int
	// MinConf is the lowest score threshold a stream may ask for.
	MinConf float32
	// LiveKeepFrames bounds a live stream's images on disk (0 = all).
	LiveKeepFrames int
	// ZonesDir holds default counting rules per stream name (<name>.yaml,
	// .yml or .json), for streams whose header has none ("" = none).
	ZonesDir string
	// CountCheckpointEvery is how many recorded frames of a counted
	// stream apart its counting checkpoint is saved (0 =
	// eventstage.DefaultCheckpointEvery).
	CountCheckpointEvery int64
	// Video is whether streams that do not say also get a video (their
	// header's video field decides otherwise); VideoOut how it is made.
	Video    bool
	VideoOut VideoConfig
	// Stream bounds each stream; MaxStreams the streams at once (0 = no
	// limit). Streams over it wait for a slot in a FIFO queue of at most
	// MaxQueued (0 = none wait: refused at once).
	Stream                serving.Config
	MaxStreams, MaxQueued int
	// MaxMsgBytes bounds gRPC messages both ways (0 = 16 MiB).
	MaxMsgBytes int
	// KeepaliveTime pings a quiet client; clients may not ping more often
	// than KeepaliveMinTime. Zero means 30 s and 10 s.
	KeepaliveTime, KeepaliveMinTime time.Duration
	// TLS, when set, serves gRPC over TLS.
	TLS *tls.Config
	// Token, when set, is required on every call but health, and on every
	// HTTP request.
	Token string
	// HTTPAddr serves the live view and metrics ("" = none).
	HTTPAddr string
	// Drain is how long running streams get to finish on shutdown (0 = 30 s).
	Drain time.Duration
	// MQTT, when its URL is set, publishes every stream's events (QoS 1);
	// its ClientID defaults to DefaultMQTTClientID.
	MQTT mqttsink.Config
	// Webhook, when its URL is set, POSTs every stream's events.
	Webhook webhook.Config
	// DeliveryRetryMax caps the wait between attempts while a receiver
	// fails (0 = 5 s).
	DeliveryRetryMax time.Duration
	// Log receives the server's log lines (nil = discard).
	Log *slog.Logger
}

// VideoConfig is how streams' videos are made and kept.
type VideoConfig struct {
	// FFmpeg is the ffmpeg program ("" = ffmpeg on PATH); without it no
	// stream gets a video.
	FFmpeg string
	// Segment is the length of a segment (0 = 4 s).
	Segment time.Duration
	// KeepDuration and KeepBytes bound a live stream's segments (0 = no
	// bound); LiveJPEGKeep its JPEGs once in a segment (0 = as
	// LiveKeepFrames).
	KeepDuration time.Duration
	KeepBytes    int64
	LiveJPEGKeep int
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.MaxMsgBytes <= 0 {
		c.MaxMsgBytes = 16 << 20
	}
	if c.KeepaliveTime <= 0 {
		c.KeepaliveTime = 30 * time.Second
	}
	if c.KeepaliveMinTime <= 0 {
		c.KeepaliveMinTime = 10 * time.Second
	}
	if c.Drain <= 0 {
		c.Drain = 30 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.VideoOut.FFmpeg == "" {
		c.VideoOut.FFmpeg = "ffmpeg"
	}
	if c.VideoOut.Segment <= 0 {
		c.VideoOut.Segment = 4 * time.Second
	}
	return c
}

// DefaultCountCheckpointEvery is the recorded frames between a counted
// stream's checkpoints when Config.CountCheckpointEvery is 0.
const DefaultCountCheckpointEvery = eventstage.DefaultCheckpointEvery
