package capturecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/capturecmd/fingerprint"
	"github.com/framewire/framewire/internal/pathtext"
	"github.com/framewire/framewire/internal/queuenotice"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/dial"
)

// streamSource opens the source, streams it and prints results and a summary.
func streamSource(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	src, err := openSource(o, stderr)
	if err != nil {
		return err
	}
	defer src.Close()
	conn, err := dial.Dial(o.server, o.dial)
	if err != nil {
		return err
	}
	defer conn.Close()
	info := src.Info()
	p := newPrinter(stdout, stderr, o.json, o.quiet)
	out, err := newResultOutput(o, info, p, stdout, stderr)
	if err != nil {
		return err
	}
	sum, err := runStream(ctx, stream.NewClient(pb.NewImageProcedureClient(conn)), src, o, out, stderr)
	saveErr := out.finish(stderr)
	// A signal while the run waited for the server is outcome's to tell.
	if ctx.Err() == nil && neverReached(sum, err) {
		return unreachable(o.server, err, o.waitServer)
	}
	tellOutput(stderr, o.name, sum)
	p.summary(sum)
	return outcome(ctx, info, sum, err, saveErr)
}

// newHeader describes the stream to the server; the source's
// credentials stay here. Its strings are UTF-8 whatever bytes the source's
// path and --name hold (pathtext.Text), as the wire needs.
func newHeader(o *options, src *source) *pb.StreamHeader {
	info := src.Info()
	window := o.window
	if window == 0 {
		window = 8
		if info.Live {
			window = 2
		}
	}
	return &pb.StreamHeader{
		Name: pathtext.Text(o.name), Source: pathtext.Text(record.RedactSource(o.source)), Live: info.Live, FrameCount: info.FrameCount,
		Window: int32(window), Exist: existPolicy(o, info.Live),
		SourceFingerprint: fingerprint.Of(o.source, info, src.files, captureOptions(o)), Zones: o.zones, Video: o.video.v,
		SharedMemorySlotBytes: sharedSlotBytes(o, info),
		Options: &pb.StreamOptions{
			Conf: float32(o.conf), Classes: o.classes,
			SaveEvery: int32(o.saveEvery), SaveOnlyDetections: o.saveOnlyDet,
			ReturnJpeg: o.save != "", Track: o.track,
		},
	}
}

// runStream streams src until it ends or ctx ends: the first signal ends
// the source, and the call itself goes on until the results of every sent
// frame are in (a second signal kills the process). A signal before the
// server started the stream (while waiting for the server or for a slot
// on it) ends the run at once.
func runStream(ctx context.Context, c *stream.Client, src *source, o *options, out *resultOutput, stderr io.Writer) (*stream.Summary, error) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	beforeReady := context.AfterFunc(ctx, cancel)
	cfg := clientConfig(src, o, stderr)
	cfg.OnResult, cfg.SourceNews = out.result, src.news
	var first sync.Once
	cfg.OnReady = func(r *pb.StreamReady) {
		first.Do(func() {
			beforeReady() // from now on a signal ends the source, not the call
			announce(stderr, o, src.Info())
		})
		limitRaw(src.Source, r)
	}
	return c.Run(runCtx, stream.Until(ctx, src), cfg)
}

// clientConfig is the stream's header, retries and the notices that tell
// the user about reconnections and waits.
func clientConfig(src *source, o *options, stderr io.Writer) stream.ClientConfig {
	return stream.ClientConfig{
		Header: newHeader(o, src), MaxRetries: o.retries, WaitForServer: o.waitServer,
		OnReconnect: func(failures int, wait time.Duration, err error) {
			if failures == 0 {
				fmt.Fprintf(stderr, "framewire-capture: %v; trying again in %v\n", err, wait.Round(time.Millisecond))
				return
			}
			fmt.Fprintf(stderr, "framewire-capture: %v; reconnecting in %v (attempt %d of %d)\n", err, wait.Round(time.Millisecond), failures, o.retries)
		},
		OnWaitForServer: func(err error) {
			fmt.Fprintf(stderr, "framewire-capture: cannot reach the server at %s yet (%s); waiting up to %v for it\n", o.server, unreachableReason(err), o.waitServer)
		},
		OnQueued: (&queuenotice.Notice{W: stderr, Server: o.server, Now: time.Now}).Queued,
	}
}

// announce says what is streamed where, once the server took the stream.
func announce(stderr io.Writer, o *options, info capture.Info) {
	fmt.Fprintf(stderr, "streaming %s %q (%dx%d, %s) to %s as %q\n",
		info.Kind, record.RedactSource(o.source), info.Width, info.Height, framesText(info), o.server, o.name)
}

// outcome is the error the command ends with: the stream's, saving's, a
// file stopped early, or failed frames.
func outcome(ctx context.Context, info capture.Info, sum *stream.Summary, err, saveErr error) error {
	switch {
	case err != nil && ctx.Err() != nil && sum.Ready == nil:
		return fmt.Errorf("stopped by signal before the server started the stream")
	case err != nil:
		return explain(err)
	case saveErr != nil:
		return saveErr
	case ctx.Err() != nil && !info.Live:
		// A live source ends this way; a file stopped early did not complete.
		return fmt.Errorf("stopped by signal after %d of %d frames", sum.Processed+sum.Failed, info.FrameCount)
	}
	return failedFrames(sum)
}

// existPolicy is what the server does when the name's folder holds
// another run: the flags say, else a live source takes a new folder and a
// file resumes its own run only.
func existPolicy(o *options, live bool) pb.ExistPolicy {
	switch {
	case o.overwrite:
		return pb.ExistPolicy_EXIST_OVERWRITE
	case o.increment || live:
		return pb.ExistPolicy_EXIST_INCREMENT
	}
	return pb.ExistPolicy_EXIST_RESUME
}

// tellOutput says which folder the server wrote to when it is not the one
// asked for, and how much of the run was done before.
func tellOutput(stderr io.Writer, asked string, sum *stream.Summary) {
	ready := sum.Ready
	if ready == nil {
		return
	}
	if ready.GetName() != "" && ready.GetName() != asked {
		fmt.Fprintf(stderr, "the folder %q holds another run: this run's output is in %q\n", asked, ready.GetName())
	}
	if ready.GetResumed() && !sum.Live {
		fmt.Fprintf(stderr, "resumed the run in %q: %d frames were already done (--overwrite starts afresh)\n", ready.GetName(), sum.Skipped)
	}
}

// explain adds what the user can do to the errors that need a choice.
func explain(err error) error {
	switch status.Code(err) {
	case codes.AlreadyExists:
		return fmt.Errorf("%w\n(another client is streaming under this name now: choose another --name)", err)
	case codes.FailedPrecondition:
		return fmt.Errorf("%w\n(--overwrite replaces that run, --increment writes to NAME-2, ..., --name picks another folder)", err)
	}
	return err
}

// failedFrames is the error of a stream whose frames failed.
func failedFrames(sum *stream.Summary) error {
	if sum.Failed == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d frames failed: %d could not be read (recorded as failed), %d failed on the server and were not recorded",
		sum.Failed, sum.Processed+sum.Failed, sum.Invalid, sum.NotRecorded)
	if sum.NotRecorded > 0 {
		msg += " (run the same command again to retry them)"
	}
	return errors.New(msg)
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
