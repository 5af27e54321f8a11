package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/internal/serverproc"
)

// writeVideoFrames writes the first n frames of video as lossless PNGs,
// f000.png ..., into a new folder: a source of exactly n frames.
func writeVideoFrames(t *testing.T, video string, n int) string {
	t.Helper()
	cap, err := gocv.VideoCaptureFile(video)
	if err != nil {
		t.Fatal(err)
	}
	defer cap.Close()
	img := gocv.NewMat()
	defer img.Close()
	dir := t.TempDir()
	for i := range n {
		if !cap.Read(&img) || img.Empty() {
			t.Fatalf("%s has fewer than %d frames", video, n)
		}
		if !gocv.IMWrite(filepath.Join(dir, fmt.Sprintf("f%03d.png", i)), img) {
			t.Fatalf("write frame %d", i)
		}
	}
	return dir
}

// startBackends starts n framewire-servers serving NanoDet on ONNX Runtime
// (and the Open Inference Protocol) with args, on fixed free addresses.
func startBackends(t *testing.T, n int, args ...string) []*server {
	t.Helper()
	var bs []*server
	for range n {
		bs = append(bs, startServer(t, t.TempDir(), append([]string{"--listen", freeAddr(t), "--workers", "1"}, args...)...))
	}
	return bs
}

// kserveTarget is the --kserve value naming every backend.
func kserveTarget(bs []*server) string {
	addrs := make([]string, len(bs))
	for i, b := range bs {
		addrs[i] = b.addr
	}
	return strings.Join(addrs, ",")
}

// streamQuiet runs the client to completion and fails the test if it fails.
func streamQuiet(t *testing.T, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := capturecmd.Run(context.Background(), append(args, "--quiet"), &out, &errOut); err != nil {
		t.Fatalf("client %v: %v\n%s", args, err, errOut.String())
	}
}

// A front server with --engine kserve and two framewire backends (with a
// token) gives the local engine's detections on vtest.avi's first 60
// frames: same labels, boxes within 2 px, scores within 0.02.
func TestKServeBackendsGiveTheLocalDetections(t *testing.T) {
	t.Parallel()
	needFile(t, vtest, "opencv-doc")
	frames := writeVideoFrames(t, vtest, 60)
	backends := startBackends(t, 2, "--token", "s3cret")
	front := startServer(t, t.TempDir(), "--engine", "kserve", "--kserve", kserveTarget(backends), "--kserve-token", "s3cret")
	local := backends[0]
	streamQuiet(t, "--server", front.addr, "--source", frames, "--name", "remote")
	streamQuiet(t, "--server", local.addr, "--source", frames, "--name", "local", "--token", "s3cret")
	got := readPhotoLines(t, filepath.Join(front.out, "remote", "predictions.jsonl"))
	want := readPhotoLines(t, filepath.Join(local.out, "local", "predictions.jsonl"))
	if len(got) != 60 || len(want) != 60 {
		t.Fatalf("%d lines through kserve and %d locally, want 60 each", len(got), len(want))
	}
	n := 0
	for i := range want {
		for _, d := range diffDetections(got[i], want[i]) {
			t.Errorf("frame %d: %s", i, d)
		}
		n += len(want[i].Detections)
	}
	if n < 60 {
		t.Errorf("%d detections in 60 frames of pedestrians, want people found", n)
	}
}

// diffDetections lists how a's detections differ from b's beyond the
// tolerances, matching each of b's to the nearest of a's with its label.
func diffDetections(a, b photoLine) []string {
	if len(a.Detections) != len(b.Detections) {
		return []string{fmt.Sprintf("%d detections, want %d", len(a.Detections), len(b.Detections))}
	}
	var diffs []string
	used := make([]bool, len(a.Detections))
	for _, w := range b.Detections {
		best, bestD := -1, math.Inf(1)
		for i, g := range a.Detections {
			d := 0.0
			for k := range 4 {
				d = max(d, math.Abs(g.Box[k]-w.Box[k]))
			}
			if !used[i] && g.Label == w.Label && d < bestD {
				best, bestD = i, d
			}
		}
		if best < 0 || bestD > 2 || math.Abs(a.Detections[best].Score-w.Score) > 0.02 {
			diffs = append(diffs, fmt.Sprintf("no match within 2 px and 0.02 for %s %.3f %v", w.Label, w.Score, w.Box))
			continue
		}
		used[best] = true
	}
	return diffs
}

// A backend SIGKILLed mid-stream loses nothing: its requests go to the
// other backend within the deadline, and the first 300 frames of vtest.avi
// end recorded once each, in order.
func TestKServeBackendKilledMidStream(t *testing.T) {
	t.Parallel()
	const frames = 300
	clip := vtestClip(t, frames)
	backends := startBackends(t, 2)
	front := startServer(t, t.TempDir(), "--engine", "kserve", "--kserve", kserveTarget(backends))
	done := make(chan error, 1)
	var errOut bytes.Buffer
	go func() {
		var out bytes.Buffer
		done <- capturecmd.Run(context.Background(), []string{"--server", front.addr, "--source", clip, "--name", "vtest", "--quiet"}, &out, &errOut)
	}()
	waitLines(t, 2*time.Minute, frames/3, front.out, "vtest")
	if err := backends[0].Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("client: %v\n%s", err, errOut.String())
	}
	dir := filepath.Join(front.out, "vtest")
	checkExactOutput(t, dir, frames)
	for i, l := range readPhotoLines(t, filepath.Join(dir, "predictions.jsonl")) {
		if l.Seq != int64(i) || l.Error != "" {
			t.Fatalf("line %d is frame %d (error %q), want frame %d in order", i, l.Seq, l.Error, i)
		}
	}
	if strings.Contains(errOut.String(), "reconnecting") {
		t.Errorf("the client reconnected; want the front server to fail over without breaking the stream:\n%s", errOut.String())
	}
}

// A front server whose backends refuse its token stops at start-up,
// saying why.
func TestKServeWrongTokenFailsAtStartUp(t *testing.T) {
	t.Parallel()
	backends := startBackends(t, 1, "--token", "s3cret")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := serverproc.Start(ctx, serverBin, "--out", t.TempDir(), "--engine", "kserve", "--kserve", backends[0].addr, "--kserve-token", "wrong")
	if err == nil {
		p.Kill()
	}
	if err == nil || !strings.Contains(err.Error(), "Unauthenticated") {
		t.Errorf("front server with the wrong token: %v, want a start-up error saying Unauthenticated", err)
	}
}
