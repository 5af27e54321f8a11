package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// childEnv names, in the environment of the test binary run again as a
// holder that will be killed, the place it writes to.
const childEnv = "FRAMEWIRE_STORETEST_HOLDER_PLACE"

// recordedPrefix starts the child's line after each frame it recorded.
const recordedPrefix = "storetest recorded frame "

// killedFrames is how many frames the child records before it is killed
// (it goes on recording until it is).
const killedFrames = 20

// killedHolder: a holder killed in the middle of recording (SIGKILL: no
// Close, no deferred call) frees its name; what it was told was recorded
// stays done, every line's image is whole, an image without its line is
// whole or absent, and the next call records the rest exactly once.
func killedHolder(t *testing.T, b Backend) {
	if place := os.Getenv(childEnv); place != "" {
		recordUntilKilled(t, b, place)
		return
	}
	place := b.NewPlace(t)
	told := runHolder(t, place, func() {
		s := b.Open(t, place)
		_, err := s.Open(context.Background(), "cam", holderRun(), pb.ExistPolicy_EXIST_RESUME)
		wantErr(t, "the same run while a replica's holder is alive", err, core.ErrHeldElsewhere)
	})
	o := openWhenFree(t, b, b.Open(t, place), "cam", holderRun())
	lines := b.Lines(t, place, "cam")
	t.Logf("the holder was told %d frames are recorded; %d lines after the kill", told, len(lines))
	if got := rangesText(o.Done()); got != rangesText(rangesOf(seqsOf(lines))) || len(lines) < told {
		t.Errorf("after the kill: done %q, %d lines; want the lines' frames done and at least the %d frames the holder was told are recorded", got, len(lines), told)
	}
	checkLineImages(t, b, place, "cam", len(lines))
	checkStrayImages(t, b, place, "cam", int64(len(lines)))
	recordAll(t, o, 0, int64(len(lines))+5)
	closeOut(t, o)
	checkLines(t, b, place, "cam", span(0, int64(len(lines))+5))
}

// holderRun is the run of the holder that is killed, and of the call
// after it.
func holderRun() record.Run { return finite("run-killed", "killed.mp4") }

// runHolder runs the test binary again as a holder of stream "cam" in
// place, calls whileHeld once it has recorded killedFrames frames, kills
// it and returns how many frames it was told are recorded.
func runHolder(t *testing.T, place string, whileHeld func()) int {
	cmd := exec.Command(os.Args[0], "-test.run="+runPattern(t.Name()), "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+place)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the holder: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() // also when the test fails
	progress, last := make(chan int, 1), make(chan int, 1)
	go readTold(stdout, progress, last) // ends when the killed child's stdout closes
	if !awaitTold(progress, killedFrames) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the holder did not record %d frames within %v:\n%s", killedFrames, patience, stderr.String())
	}
	whileHeld()
	cmd.Process.Kill()
	return <-last
}

// runPattern is the -test.run pattern of the test named name alone.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// readTold sends the count of frames the child says it recorded to
// progress as it goes (the newest count when progress is free); when the
// child's output ends it sends the last count to last and closes
// progress.
func readTold(stdout io.Reader, progress chan<- int, last chan<- int) {
	n := 0
	defer func() { last <- n; close(progress) }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), recordedPrefix)
		seq, err := strconv.Atoi(rest)
		if !ok || err != nil {
			continue
		}
		n = seq + 1
		select {
		case progress <- n:
		default: // the parent has not taken the last count yet
		}
	}
}

// awaitTold waits until the child said it recorded n frames.
func awaitTold(progress <-chan int, n int) bool {
	timeout := time.After(patience)
	for {
		select {
		case got, ok := <-progress:
			if !ok || got >= n {
				return ok
			}
		case <-timeout:
			return false
		}
	}
}

// recordUntilKilled is the child: it records frames of stream "cam" in
// place, saying after each that it is recorded, until it is killed. It
// ends on its own when nobody reads what it says (the parent died) or
// after twice the suite's patience.
func recordUntilKilled(t *testing.T, b Backend, place string) {
	o := open(t, b.Open(t, place), "cam", holderRun(), pb.ExistPolicy_EXIST_RESUME)
	start := time.Now()
	for seq := int64(0); time.Since(start) < 2*patience; seq++ {
		recordFrame(t, o, seq, true)
		if _, err := fmt.Printf("%s%d\n", recordedPrefix, seq); err != nil {
			return
		}
	}
}

// checkStrayImages wants every image of the frames from n on (written,
// but without a line, when the holder was killed) whole or absent.
func checkStrayImages(t *testing.T, b Backend, place, name string, n int64) {
	t.Helper()
	for seq := n; seq < n+4; seq++ {
		got, err := b.Image(t, place, name, seq)
		if err == nil && !bytes.Equal(got, imageOf(seq)) {
			t.Errorf("frame %d has no line and an image of %d bytes, not the %d written: a torn image", seq, len(got), len(imageOf(seq)))
		}
	}
}
