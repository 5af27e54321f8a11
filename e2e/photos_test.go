package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
)

// photoLine is what these tests read of a predictions line.
type photoLine struct {
	Seq        int64  `json:"seq"`
	Source     string `json:"source"`
	PositionUs *int64 `json:"position_us"`
	Image      string `json:"image"`
	Error      string `json:"error"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Detections []struct {
		Label   string     `json:"label"`
		Score   float64    `json:"score"`
		Box     [4]float64 `json:"box"`
		TrackID int64      `json:"track_id"`
	} `json:"detections"`
}

func readPhotoLines(t *testing.T, path string) []photoLine {
	t.Helper()
	var out []photoLine
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, path)), "\n") {
		var p photoLine
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, p)
	}
	return out
}

// photosDir holds darknet and opencv-doc photos of mixed sizes and one
// file that is not an image.
func photosDir(t *testing.T) (dir string, names []string) {
	t.Helper()
	dir = t.TempDir()
	srcs := []string{
		"/usr/share/darknet/data/dog.jpg", "/usr/share/darknet/data/horses.jpg", "/usr/share/darknet/data/person.jpg",
		"/usr/share/doc/opencv-doc/examples/data/fruits.jpg", "/usr/share/doc/opencv-doc/examples/data/messi5.jpg",
	}
	for _, src := range srcs {
		needFile(t, src, "darknet and opencv-doc")
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(src))
	}
	if err := os.WriteFile(filepath.Join(dir, "corrupt.jpg"), []byte("not an image at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	names = append(names, "corrupt.jpg")
	slices.Sort(names)
	return dir, names
}

func TestPhotoFolderInNameOrderEachLineNamesItsFile(t *testing.T) {
	t.Parallel()
	dir, names := photosDir(t)
	s := startServer(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", dir, "--name", "photos", "--quiet"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "1 of 6 frames failed: 1 could not be read") {
		t.Fatalf("got %v, want the run to finish with the one unreadable file failed\n%s", err, stderr.String())
	}
	lines := readPhotoLines(t, filepath.Join(s.out, "photos", "predictions.jsonl"))
	if len(lines) != len(names) {
		t.Fatalf("got %d lines, want %d", len(lines), len(names))
	}
	for i, l := range lines {
		if l.Seq != int64(i) || l.Source != names[i] {
			t.Errorf("line %d: got seq %d source %q, want %d %q", i, l.Seq, l.Source, i, names[i])
		}
		if l.Source == "corrupt.jpg" {
			if !strings.HasPrefix(l.Error, "corrupt.jpg: ") {
				t.Errorf("corrupt.jpg: got error %q, want it to name the file", l.Error)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(s.out, "photos", l.Image)); l.Error != "" || err != nil {
			t.Errorf("%s: error %q, image %q: %v", l.Source, l.Error, l.Image, err)
		}
	}
	if horses := lines[slices.Index(names, "horses.jpg")]; !hasLabel(horses.Detections, "horse") {
		t.Errorf("horses.jpg: got %+v, want a horse", horses.Detections)
	}

	// The same command again resumes: everything is done, nothing is sent.
	stderr.Reset()
	_ = capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", dir, "--name", "photos", "--quiet"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "6 frames were already done") {
		t.Errorf("rerun: got %q, want a resume with 6 frames done", stderr.String())
	}
}

func hasLabel(dets []struct {
	Label   string     `json:"label"`
	Score   float64    `json:"score"`
	Box     [4]float64 `json:"box"`
	TrackID int64      `json:"track_id"`
}, label string) bool {
	for _, d := range dets {
		if d.Label == label {
			return true
		}
	}
	return false
}

func TestPhotoGlob(t *testing.T) {
	t.Parallel()
	dir, _ := photosDir(t)
	s := startServer(t, t.TempDir(), "--model", "mean")
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", filepath.Join(dir, "[dh]*.jpg"), "--name", "glob", "--quiet"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	var got []string
	for _, l := range readPhotoLines(t, filepath.Join(s.out, "glob", "predictions.jsonl")) {
		got = append(got, filepath.Base(l.Source))
	}
	if want := []string{"dog.jpg", "horses.jpg"}; !slices.Equal(got, want) {
		t.Errorf("got sources %v, want %v", got, want)
	}
}

// walker is a ground-truth object of the synthetic video: a person crop
// pasted at (x0 + vx*i, y0 + vy*i) in frame i.
type walker struct{ x0, y0, vx, vy int }

// at is where w's crop goes in frame i.
func (w walker) at(i int) image.Point { return image.Pt(w.x0+w.vx*i, w.y0+w.vy*i) }

// personCrop is the person of darknet's person.jpg, with a margin, and
// where the person's box lies inside the crop.
var personCrop, personInCrop = image.Rect(170, 85, 290, 375), image.Rect(19, 17, 104, 279)

// writeWalkers writes n frames of walkers over a grey background.
func writeWalkers(t *testing.T, dir string, n int, ws []walker) {
	t.Helper()
	writeWalkersSized(t, dir, n, ws, image.Rect(0, 0, 720, 420))
}

// writeWalkersSized is writeWalkers on frames of the size of frame.
func writeWalkersSized(t *testing.T, dir string, n int, ws []walker, frame image.Rectangle) {
	t.Helper()
	paths := make([]func(int) image.Point, len(ws))
	for k, w := range ws {
		paths[k] = w.at
	}
	writePaths(t, dir, n, paths, frame)
}

// writePaths writes n frames of the size of frame, a person over a grey
// background for each path, its crop's corner at path(i) in frame i.
func writePaths(t *testing.T, dir string, n int, paths []func(int) image.Point, frame image.Rectangle) {
	t.Helper()
	f, err := os.Open("/usr/share/darknet/data/person.jpg")
	if err != nil {
		t.Skipf("darknet's person.jpg is needed: %v", err)
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		img := image.NewRGBA(frame)
		draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{150, 160, 150, 255}}, image.Point{}, draw.Src)
		for _, path := range paths {
			at := path(i)
			draw.Draw(img, personCrop.Sub(personCrop.Min).Add(at), src, personCrop.Min, draw.Src)
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.jpg", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// truthBox is walker w's person box in frame i.
func (w walker) truthBox(i int) [4]float64 {
	p := w.at(i).Add(personInCrop.Min)
	x, y := float64(p.X), float64(p.Y)
	return [4]float64{x, y, float64(personInCrop.Dx()), float64(personInCrop.Dy())}
}

func boxIoU(a, b [4]float64) float64 {
	iw := min(a[0]+a[2], b[0]+b[2]) - max(a[0], b[0])
	ih := min(a[1]+a[3], b[1]+b[3]) - max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	return iw * ih / (a[2]*a[3] + b[2]*b[3] - iw*ih)
}

// idsOf lists, frame by frame, the track ids of the person detections
// that overlap walker k best of all walkers (IoU >= 0.5); frames where
// none does (k hidden behind another) are left out.
func idsOf(lines []photoLine, ws []walker, k int) []int64 {
	var ids []int64
	for i, l := range lines {
		for _, d := range l.Detections {
			if d.Label == "person" && nearestWalker(d.Box, ws, i) == k {
				ids = append(ids, d.TrackID)
			}
		}
	}
	return ids
}

// nearestWalker is the walker whose box overlaps b most in frame i
// (IoU >= 0.5), or -1.
func nearestWalker(b [4]float64, ws []walker, i int) int {
	best, k := 0.5, -1
	for j, w := range ws {
		if v := boxIoU(b, w.truthBox(i)); v >= best {
			best, k = v, j
		}
	}
	return k
}

func idSwitches(ids []int64) int {
	n := 0
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1] {
			n++
		}
	}
	return n
}

func TestTrackingSyntheticWalkersKeepTheirIDs(t *testing.T) {
	t.Parallel()
	const n = 60
	ws := []walker{
		{x0: 10, y0: 40, vx: 7},   // crosses the next one mid-way
		{x0: 420, y0: 60, vx: -7}, // pasted over the first while they cross
		{x0: 580, y0: 0, vy: 2},   // alone, walking down
	}
	dir := t.TempDir()
	writeWalkers(t, dir, n, ws)
	s := startServer(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", dir, "--name", "walkers", "--track", "--quiet"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	lines := readPhotoLines(t, filepath.Join(s.out, "walkers", "predictions.jsonl"))
	total := 0
	for k := range ws {
		// Id 0 is a low-score detection that continues no track (the
		// walker half hidden): not tracked, not a switch.
		ids := slices.DeleteFunc(idsOf(lines, ws, k), func(id int64) bool { return id == 0 })
		if len(ids) < n*2/3 {
			t.Errorf("walker %d: tracked with ids %v in %d of %d frames, want most", k, ids, len(ids), n)
		}
		sw := idSwitches(ids)
		total += sw
		if k == 2 && sw != 0 {
			t.Errorf("lone walker: got ids %v, want one id all along", ids)
		}
		t.Logf("walker %d: %d frames, %d id switches, ids %v", k, len(ids), sw, slices.Compact(slices.Clone(ids)))
	}
	if total > 1 {
		t.Errorf("got %d id switches in all, want at most one (at the crossing)", total)
	}
	if !strings.Contains(stderr.String(), "distinct tracks person") {
		t.Errorf("summary: got %q, want the distinct tracks per label", stderr.String())
	}
}
