// Command framewire-capture streams a webcam, video file, URL or GStreamer
// pipeline to a framewire server over one long-lived gRPC call and prints
// the server's per-frame predictions.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/cmd/internal/cli"
)

func main() {
	quietVideoLibraries()
	cli.Main("framewire-capture", run)
}

// quietVideoLibraries quiets the log lines FFmpeg and OpenCV print on
// their own (a damaged file makes FFmpeg print one a frame), so that
// stderr holds the client's own line on what went wrong. OpenCV reads the
// variables when it first opens a capture; one the user set wins
// (OPENCV_FFMPEG_LOGLEVEL=16 shows FFmpeg's errors again).
func quietVideoLibraries() {
	levels := map[string]string{
		"OPENCV_FFMPEG_LOGLEVEL": "-8", // AV_LOG_QUIET
		"OPENCV_LOG_LEVEL":       "ERROR",
	}
	for k, v := range levels {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
}

// run streams one source until it ends, or until ctx ends, after which it
// stops reading, waits for the results of what it sent and returns. It
// returns nil only when the stream completed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprint(stdout, cli.Version("framewire-capture", capture.LibraryVersions()...))
		return cli.ErrVersion
	}
	return streamSource(ctx, o, stdout, stderr)
}
