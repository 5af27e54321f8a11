package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/framewire/framewire/capture"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// streamSource opens the source, streams it and prints results and a summary.
func streamSource(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	src, err := capture.Open(o.source, capture.Options{
		Quality: o.quality, Width: o.width, Height: o.height, MaxFPS: o.maxFPS,
	})
	if err != nil {
		return err
	}
	defer src.Close()
	info := src.Info()

	conn, err := stream.Dial(o.server, o.dial)
	if err != nil {
		return err
	}
	defer conn.Close()

	window := o.window
	if window == 0 {
		window = 8
		if info.Live {
			window = 2
		}
	}
	hdr := &pb.StreamHeader{
		Name: o.name, Source: o.source, Live: info.Live, FrameCount: info.FrameCount,
		Window: int32(window),
		Options: &pb.StreamOptions{
			Conf: float32(o.conf), Classes: o.classes,
			SaveEvery: int32(o.saveEvery), SaveOnlyDetections: o.saveOnlyDet,
			ReturnJpeg: o.save != "",
		},
	}
	p := newPrinter(stdout, stderr, o.json, o.quiet)
	out, err := newResultOutput(o, info, p, stdout, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "streaming %s %q (%dx%d, %s) to %s as %q\n",
		info.Kind, o.source, info.Width, info.Height, framesText(info), o.server, o.name)

	// The first signal stops reading; the call itself goes on until the
	// results of every sent frame are in.
	client := stream.NewClient(pb.NewImageProcedureClient(conn))
	sum, err := client.Run(context.WithoutCancel(ctx), src, stream.ClientConfig{
		Header: hdr, Stop: ctx.Done(), OnResult: out.result,
		MaxRetries: o.retries,
		OnReconnect: func(failures int, wait time.Duration, err error) {
			fmt.Fprintf(stderr, "framewire-capture: %v; reconnecting in %v (attempt %d of %d)\n", err, wait.Round(time.Millisecond), failures, o.retries)
		},
	})
	saveErr := out.finish(stderr)
	p.summary(sum)
	if err != nil {
		return err
	}
	if saveErr != nil {
		return saveErr
	}
	if ctx.Err() != nil && !info.Live {
		// A live source ends this way; a file stopped early did not complete.
		return fmt.Errorf("stopped by signal after %d of %d frames", sum.Processed+sum.Failed, info.FrameCount)
	}
	return nil
}

func framesText(info capture.Info) string {
	if info.Live {
		return "live"
	}
	if info.FrameCount > 0 {
		return fmt.Sprintf("%d frames", info.FrameCount)
	}
	return "finite"
}
