package e2e

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/proto/record"
)

// anchorX is how far right of its crop's corner a walker's anchor point
// (the bottom centre of its person box) lies.
var anchorX = personInCrop.Min.X + personInCrop.Dx()/2

// countPath streams n frames of one person following path (as a 10 fps
// MJPEG video, so that frame times are exact) as stream "walk" through a
// server counting by zonesYAML, and returns the server's output folder.
func countPath(t *testing.T, n int, path func(int) image.Point, zonesYAML string) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("needs ffmpeg (scripts/setup.sh installs it)")
	}
	frames := t.TempDir()
	writePaths(t, frames, n, []func(int) image.Point{path}, image.Rect(0, 0, 720, 640))
	video := filepath.Join(t.TempDir(), "walk.avi")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-framerate", "10", "-i", filepath.Join(frames, "f%03d.jpg"),
		"-c:v", "mjpeg", "-q:v", "2", video).CombinedOutput(); err != nil {
		t.Fatalf("making the video: %v\n%s", err, out)
	}
	zones := filepath.Join(t.TempDir(), "zones.yaml")
	if err := os.WriteFile(zones, []byte(zonesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, t.TempDir())
	var stdout, stderr strings.Builder
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", video, "--name", "walk", "--zones", zones, "--quiet"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	return s.out
}

// TestBoxJitteringOnTheLineCountsNothing: a person standing on the door
// line, the anchor two frames 10 px left of it, two frames 10 px right,
// for 4 s, crosses nothing (the hysteresis is 3 frames).
func TestBoxJitteringOnTheLineCountsNothing(t *testing.T) {
	t.Parallel()
	onLine := 360 - anchorX
	jitter := func(i int) image.Point {
		if i%4 < 2 {
			return image.Pt(onLine-10, 100)
		}
		return image.Pt(onLine+10, 100)
	}
	out := countPath(t, 40, jitter, doorZones)
	if evs := readEvents(t, filepath.Join(out, "walk", record.EventsFile)); len(evs) != 0 {
		t.Errorf("%d events for a box jittering on the line, want none: %+v", len(evs), evs)
	}
	left, right := 0, 0
	for _, l := range readPhotoLines(t, filepath.Join(out, "walk", "predictions.jsonl")) {
		for _, d := range l.Detections {
			if x := d.Box[0] + d.Box[2]/2; d.Label == "person" && x < 360 {
				left++
			} else if d.Label == "person" {
				right++
			}
		}
	}
	if left < 10 || right < 10 {
		t.Errorf("the person's anchor was left of the line in %d frames and right in %d, want each in about 20", left, right)
	}
}

// TestZoneVisitedTwice: a person walks right through a zone and back
// again, 20 px a frame at 10 fps; the anchor is inside for frames 10-20
// and 38-48. Two entries, two exits, each visit 11 frames, 1100 ms.
func TestZoneVisitedTwice(t *testing.T) {
	t.Parallel()
	const zones = `
zones:
  - name: aisle
    polygon: [[250, 0], [470, 0], [470, 640], [250, 640]]
    classes: [person]
`
	there := func(i int) image.Point { return image.Pt(20*i, 100) }
	back := func(i int) image.Point { return image.Pt(20*(58-i), 100) }
	path := func(i int) image.Point {
		if i < 29 {
			return there(i)
		}
		return back(i)
	}
	var got []string
	out := countPath(t, 59, path, zones)
	for _, e := range readEvents(t, filepath.Join(out, "walk", record.EventsFile)) {
		line := fmt.Sprint(e.Kind, " ", e.SinceSeq)
		if e.Kind == record.KindZoneLeft {
			line = fmt.Sprint(e.Kind, " ", e.EnteredSeq, " ", e.DwellFrames, " ", e.DwellMs)
		}
		got = append(got, line)
	}
	want := []string{"zone_entered 10", "zone_left 10 11 1100", "zone_entered 38", "zone_left 38 11 1100"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("events:\n got %q\nwant %q (kind, then the first frame inside for an entry; entry frame, dwell frames and ms for an exit)", got, want)
	}
}
