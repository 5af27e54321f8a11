// Command framewire-capture streams a webcam, video file, URL or GStreamer
// pipeline to a framewire server over one long-lived gRPC call and prints
// the server's per-frame predictions.
package main

import (
	"os"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/internal/cli"
)

func main() {
	capture.QuietLibraryLogs()
	cli.HalveGoProcs(os.Getenv)
	cli.Main("framewire-capture", capturecmd.Run)
}
