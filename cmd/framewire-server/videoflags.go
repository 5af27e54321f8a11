package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/framewire/framewire/server"
)

// videoOptions are the flags of the streams' videos.
type videoOptions struct {
	on       bool
	segment  time.Duration
	keep     string
	jpegKeep int
	ffmpeg   string
}

func videoFlags(fs *flag.FlagSet, o *videoOptions) {
	fs.BoolVar(&o.on, "video", false, "also write every stream's annotated frames as H.264 video: <out>/<name>/video/00000.mp4, ... (fragmented MP4 segments made by one ffmpeg a stream from the annotated pixels, each frame at its own time), segments.json (the frames of each) and the HLS playlist index.m3u8; a client's --video or --video=false decides for its stream")
	fs.DurationVar(&o.segment, "video-segment", 4*time.Second, "length of a video segment, in the frames' time")
	fs.StringVar(&o.keep, "video-keep", "", "a live stream keeps its newest segments up to this `duration or size` (24h, 30m, 20GB, 500MB) and removes older ones; empty = keep all")
	fs.IntVar(&o.jpegKeep, "video-live-keep-frames", 300, "a live stream with video keeps the JPEGs of only its last N frames once they are in a segment (10 s at 30 fps), fewer than --live-keep-frames; 0 = as --live-keep-frames")
	fs.StringVar(&o.ffmpeg, "ffmpeg", "ffmpeg", "the ffmpeg `program` that encodes the video")
}

// config is the server's video config from the flags.
func (o *videoOptions) config() (server.VideoConfig, error) {
	c := server.VideoConfig{FFmpeg: o.ffmpeg, Segment: o.segment, LiveJPEGKeep: o.jpegKeep}
	if o.segment < 100*time.Millisecond || o.jpegKeep < 0 {
		return c, fmt.Errorf("--video-segment must be at least 100ms and --video-live-keep-frames not negative")
	}
	var err error
	c.KeepDuration, c.KeepBytes, err = parseKeep(o.keep)
	return c, err
}

// parseKeep reads --video-keep: a duration or a size in B, KB, MB, GB or
// TB (powers of 1000).
func parseKeep(s string) (time.Duration, int64, error) {
	if s == "" {
		return 0, 0, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	up := strings.ToUpper(strings.TrimSpace(s))
	for _, u := range units {
		if num, ok := strings.CutSuffix(up, u.suffix); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err == nil && n > 0 {
				return 0, int64(n * float64(u.mult)), nil
			}
		}
	}
	return 0, 0, fmt.Errorf("--video-keep %q is neither a duration (24h) nor a size (20GB)", s)
}
