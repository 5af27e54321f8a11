package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/internal/exif/exiftest"
)

// orientedPhotos writes darknet's person.jpg as upright.jpg and as o1.jpg ...
// o8.jpg: its pixels stored in each EXIF orientation, the tag in the
// file (Intel byte order for odd ones, Motorola for even ones), as a
// camera held sideways writes them.
func orientedPhotos(t *testing.T) (dir string, up image.Rectangle) {
	t.Helper()
	src := "/usr/share/darknet/data/person.jpg"
	needFile(t, src, "darknet")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	writeJPEG(t, filepath.Join(dir, "upright.jpg"), img, nil)
	for o := 1; o <= 8; o++ {
		order := binary.AppendByteOrder(binary.LittleEndian)
		if o%2 == 0 {
			order = binary.BigEndian
		}
		writeJPEG(t, filepath.Join(dir, fmt.Sprintf("o%d.jpg", o)), exiftest.Stored(img, o), exiftest.TIFF(order, uint16(o)))
	}
	return dir, img.Bounds()
}

// writeJPEG writes img at quality 95, with an EXIF segment holding tiff
// unless it is nil.
func writeJPEG(t *testing.T, path string, img image.Image, tiff []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if tiff != nil {
		data = exiftest.JPEG(data, tiff)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPhotosInEveryEXIFOrientationAreProcessedUpright streams person.jpg
// stored in the 8 EXIF orientations through the real server: each is
// processed as the upright photo is (its size, the same labels, boxes
// within a few pixels), sent as its own bytes and, with --resize,
// decoded and re-encoded by the client.
func TestPhotosInEveryEXIFOrientationAreProcessedUpright(t *testing.T) {
	t.Parallel()
	dir, up := orientedPhotos(t)
	s := startServer(t, t.TempDir())
	for _, run := range []struct {
		name, resize string
		w, h         int
	}{{"as-is", "", up.Dx(), up.Dy()}, {"resized", fmt.Sprint(up.Dx() / 2), up.Dx() / 2, up.Dy() / 2}} {
		streamPhotos(t, s, dir, run.name, "--resize", run.resize)
		lines := readPhotoLines(t, filepath.Join(s.out, run.name, "predictions.jsonl"))
		ref := lines[len(lines)-1] // upright.jpg, after o1.jpg ... o8.jpg
		if ref.Source != "upright.jpg" || !hasLabel(ref.Detections, "dog") || !hasLabel(ref.Detections, "horse") || !hasLabel(ref.Detections, "person") {
			t.Fatalf("%s: reference line %+v, want upright.jpg with its dog, person and horse", run.name, ref)
		}
		for _, l := range lines[:len(lines)-1] {
			if l.Width != run.w || l.Height != run.h {
				t.Errorf("%s %s: got %dx%d, want the upright %dx%d", run.name, l.Source, l.Width, l.Height, run.w, run.h)
			}
			checkSameDetections(t, run.name+" "+l.Source, l, ref)
			t.Logf("%s %s: %dx%d %s", run.name, l.Source, l.Width, l.Height, detectionsText(l))
			checkImageSize(t, filepath.Join(s.out, run.name, l.Image), run.w, run.h)
		}
	}
}

// streamPhotos streams the folder dir as name, with extra flags (a flag
// whose value is empty is left out).
func streamPhotos(t *testing.T, s *server, dir, name string, extra ...string) {
	t.Helper()
	args := []string{"--server", s.addr, "--source", dir, "--name", name, "--quiet"}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			args = append(args, extra[i], extra[i+1])
		}
	}
	var stdout, stderr bytes.Buffer
	if err := capturecmd.Run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%s: client failed: %v\n%s", name, err, stderr.String())
	}
}

// checkSameDetections wants every detection of ref in got, with the same
// label, a score within 0.1 and a box within 4% of the photo's width.
func checkSameDetections(t *testing.T, what string, got, ref photoLine) {
	t.Helper()
	if len(got.Detections) != len(ref.Detections) {
		t.Errorf("%s: got %d detections %+v, want the upright photo's %d %+v", what, len(got.Detections), got.Detections, len(ref.Detections), ref.Detections)
		return
	}
	tol := 0.04 * float64(ref.Width)
	for _, r := range ref.Detections {
		found := false
		for _, d := range got.Detections {
			found = found || d.Label == r.Label && abs(d.Score-r.Score) <= 0.1 && boxesWithin(d.Box, r.Box, tol)
		}
		if !found {
			t.Errorf("%s: got %+v, want %s %.2f at %v as in the upright photo", what, got.Detections, r.Label, r.Score, r.Box)
		}
	}
}

func boxesWithin(a, b [4]float64, tol float64) bool {
	for i := range a {
		if abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func abs(x float64) float64 { return max(x, -x) }

// checkImageSize wants the JPEG at path to be w x h.
func checkImageSize(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil || cfg.Width != w || cfg.Height != h {
		t.Errorf("%s: got %dx%d (%v), want %dx%d", path, cfg.Width, cfg.Height, err, w, h)
	}
}

// detectionsText is "label score [box]" of each of l's detections.
func detectionsText(l photoLine) string {
	var b bytes.Buffer
	for _, d := range l.Detections {
		fmt.Fprintf(&b, "%s %.3f %.0f  ", d.Label, d.Score, d.Box)
	}
	return b.String()
}
