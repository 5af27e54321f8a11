package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// Source yields the frames of one stream, each with its sequence number and
// capture time set. Next returns io.EOF after the last frame of a finite
// source. It is called from one goroutine only; the returned frame belongs
// to the caller.
type Source interface {
	Next(ctx context.Context) (*pb.Frame, error)
}

// ClientConfig describes one stream from the client side.
type ClientConfig struct {
	// Header is sent as the first message. Header.Live chooses the drop
	// policy: a live source replaces the unsent frame with the newest one
	// (counted as a drop); a finite source blocks, so nothing is lost.
	Header *pb.StreamHeader
	// Stop, when closed, ends reading from the source: the client sends
	// what it has, half-closes and waits for the outstanding results, as
	// at the end of a file. Nil means never.
	Stop <-chan struct{}
	// OnResult is called for every result, in order, from one goroutine,
	// with the capture-to-result latency. It must not block for long.
	OnResult func(r *pb.FrameResult, latency time.Duration)
}

// Client runs streams over one ImageProcedure client. It holds no state
// between runs and is safe for concurrent use.
type Client struct {
	rpc pb.ImageProcedureClient
}

// NewClient returns a Client that makes its calls through rpc.
func NewClient(rpc pb.ImageProcedureClient) *Client {
	return &Client{rpc: rpc}
}

// Run streams src to the server over one long-lived call until the source
// ends (or cfg.Stop closes) and every sent frame has its result. It returns
// the summary so far together with any error; the error is nil only when
// the call completed with the server's summary.
func (c *Client) Run(ctx context.Context, src Source, cfg ClientConfig) (*Summary, error) {
	sum := &Summary{Live: cfg.Header.GetLive()}
	start := time.Now()
	defer func() { sum.Duration = time.Since(start) }()

	callCtx, cancelCall := context.WithCancel(ctx)
	defer cancelCall()
	call, err := c.rpc.StreamFrames(callCtx)
	if err != nil {
		return sum, fmt.Errorf("open stream: %w", err)
	}
	if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: cfg.Header}}); err != nil {
		return sum, fmt.Errorf("send stream header: %w", recvErr(call, err))
	}
	first, err := call.Recv()
	if err != nil {
		return sum, fmt.Errorf("stream %q refused: %w", cfg.Header.GetName(), err)
	}
	ready := first.GetReady()
	if ready == nil {
		return sum, errors.New("server did not answer the header with ready")
	}
	sum.Ready = ready
	window := int(ready.GetWindow())
	if window <= 0 {
		window = 1
	}

	// readCtx ends reading: on Stop, or when the call is over.
	readCtx, stopReading := context.WithCancel(callCtx)
	defer stopReading()
	if cfg.Stop != nil {
		go func() {
			select {
			case <-cfg.Stop:
				stopReading()
			case <-readCtx.Done():
			}
		}()
	}

	credits := make(chan struct{}, window)
	for range window {
		credits <- struct{}{}
	}
	var (
		wg      sync.WaitGroup
		readErr error
		sendErr error
		mb      *mailbox
		frames  chan *pb.Frame
	)
	if sum.Live {
		mb = newMailbox()
	} else {
		frames = make(chan *pb.Frame, 1)
	}
	wg.Add(2)
	go func() { // reader: owns src
		defer wg.Done()
		readErr = readSource(readCtx, src, mb, frames, &sum.Read)
	}()
	go func() { // sender: the only goroutine that sends after the header
		defer wg.Done()
		sendErr = sendFrames(callCtx, call, credits, mb, frames, &sum.Sent)
	}()

	// Receiver: this goroutine.
	err = receiveResults(call, credits, cfg.OnResult, sum)
	if err != nil {
		cancelCall()
	}
	wg.Wait()
	if mb != nil {
		sum.Dropped = mb.drops()
	}
	switch {
	case err != nil:
		return sum, err
	case sendErr != nil:
		return sum, sendErr
	case readErr != nil:
		return sum, readErr
	}
	return sum, nil
}

// readSource moves frames from src to the mailbox (live) or the frames
// channel (finite) until the source ends or ctx does. It returns nil at
// the source's end or when reading was stopped.
func readSource(ctx context.Context, src Source, mb *mailbox, frames chan<- *pb.Frame, read *int64) error {
	if mb != nil {
		defer mb.close()
	} else {
		defer close(frames)
	}
	for {
		f, err := src.Next(ctx)
		if errors.Is(err, io.EOF) || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		*read++
		if mb != nil {
			mb.put(f)
			continue
		}
		select {
		case frames <- f:
		case <-ctx.Done():
			return nil
		}
	}
}

// sendFrames sends one frame per credit, taking the newest frame for a live
// source, until the reader is done; then it half-closes the call.
func sendFrames(ctx context.Context, call pb.ImageProcedure_StreamFramesClient, credits <-chan struct{}, mb *mailbox, frames <-chan *pb.Frame, sent *int64) error {
	for {
		select {
		case <-credits:
		case <-ctx.Done():
			return nil
		}
		var f *pb.Frame
		if mb != nil {
			f = mb.take(ctx)
		} else {
			select {
			case f = <-frames:
			case <-ctx.Done():
			}
		}
		if f == nil {
			if ctx.Err() != nil {
				return nil
			}
			if err := call.CloseSend(); err != nil {
				return fmt.Errorf("half-close stream: %w", err)
			}
			return nil
		}
		if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: f}}); err != nil {
			// The receiver sees why the call broke.
			return nil
		}
		*sent++
	}
}

// receiveResults reads results until the server ends the call, giving a
// credit back for each one.
func receiveResults(call pb.ImageProcedure_StreamFramesClient, credits chan<- struct{}, onResult func(*pb.FrameResult, time.Duration), sum *Summary) error {
	for {
		msg, err := call.Recv()
		if errors.Is(err, io.EOF) {
			if sum.Server == nil {
				return errors.New("stream ended without a summary")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("stream broken: %w", err)
		}
		switch m := msg.Msg.(type) {
		case *pb.StreamResponse_Result:
			r := m.Result
			select {
			case credits <- struct{}{}:
			default:
			}
			lat := time.Duration(time.Now().UnixNano() - r.GetCaptureUnixNano())
			if r.GetError() != "" {
				sum.Failed++
			} else {
				sum.Processed++
			}
			sum.Latency.Add(lat)
			if onResult != nil {
				onResult(r, lat)
			}
		case *pb.StreamResponse_Summary:
			sum.Server = m.Summary
		default:
			return fmt.Errorf("unexpected message %T from server", m)
		}
	}
}

// recvErr returns the call's status when a send failed because the call
// ended (gRPC reports the reason on Recv, not on Send).
func recvErr(call pb.ImageProcedure_StreamFramesClient, sendErr error) error {
	if !errors.Is(sendErr, io.EOF) {
		return sendErr
	}
	if _, err := call.Recv(); err != nil {
		return err
	}
	return sendErr
}
