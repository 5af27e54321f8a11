package drawing

import (
	"image"
	"image/color"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

func TestDraw(t *testing.T) {
	for _, size := range [][2]int{{320, 240}, {1920, 1080}} {
		w, h := size[0], size[1]
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), h, w, gocv.MatTypeCV8UC3)
		box := core.Box{X: float32(w) / 4, Y: float32(h) / 3, W: float32(w) / 4, H: float32(h) / 3}
		Draw(&img, []core.Detection{{Label: "person", Score: 0.82, Box: box}})

		changed := func(x0, y0, x1, y1 int) int {
			n := 0
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					v := img.GetVecbAt(y, x)
					if v[0] != 0 || v[1] != 0 || v[2] != 0 {
						n++
					}
				}
			}
			return n
		}
		bx, by, bw, bh := int(box.X), int(box.Y), int(box.W), int(box.H)
		// The box outline: its left edge column band and its top/bottom edges.
		if n := changed(bx-2, by, bx+3, by+bh); n < bh {
			t.Errorf("%dx%d: left edge of the box barely drawn (%d pixels changed)", w, h, n)
		}
		if n := changed(bx, by+bh-2, bx+bw, by+bh+3); n < bw {
			t.Errorf("%dx%d: bottom edge of the box barely drawn (%d pixels changed)", w, h, n)
		}
		// The caption sits just above the box.
		if n := changed(bx, by-8, bx+bw, by); n == 0 {
			t.Errorf("%dx%d: no caption above the box", w, h)
		}
		// Far from the box (bottom-right quarter) nothing changes.
		if n := changed(3*w/4, 3*h/4, w, h); n != 0 {
			t.Errorf("%dx%d: %d pixels changed far from the box", w, h, n)
		}
		// The inside of the box away from the edges and caption stays blank.
		if n := changed(bx+bw/4, by+bh/3, bx+3*bw/4, by+2*bh/3); n != 0 {
			t.Errorf("%dx%d: %d pixels changed inside the box", w, h, n)
		}
		img.Close()
	}
}

func TestDrawOddInput(t *testing.T) {
	Draw(nil, []core.Detection{{}})
	empty := gocv.NewMat()
	defer empty.Close()
	Draw(&empty, []core.Detection{{Box: core.Box{X: 1, Y: 1, W: 5, H: 5}}})
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 40, 40, gocv.MatTypeCV8UC3)
	defer img.Close()
	// Boxes outside or partly outside the frame must not panic.
	Draw(&img, []core.Detection{{Box: core.Box{X: -50, Y: -50, W: 10, H: 10}}, {Box: core.Box{X: 30, Y: 30, W: 100, H: 100}, Label: "x"}, {Box: core.Box{X: 0, Y: 0, W: 0, H: 0}}})
}

func TestClassColorsDiffer(t *testing.T) {
	seen := map[[3]uint8]bool{}
	for id := range 80 {
		c := classColor(id)
		seen[[3]uint8{c.R, c.G, c.B}] = true
	}
	if len(seen) < 60 {
		t.Errorf("only %d distinct colours for 80 classes", len(seen))
	}
}

func TestCaptionNamesTheTrack(t *testing.T) {
	for _, c := range []struct {
		d    core.Detection
		want string
	}{
		{core.Detection{Label: "person", Score: 0.81}, "person 0.81"},
		{core.Detection{Label: "person", Score: 0.81, TrackID: 12}, "person #12 0.81"},
	} {
		if got := caption(c.d); got != c.want {
			t.Errorf("caption(%+v): got %q, want %q", c.d, got, c.want)
		}
	}
}

func TestTrackedCaptionIsWider(t *testing.T) {
	width := func(id int64) int {
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 240, 320, gocv.MatTypeCV8UC3)
		defer img.Close()
		Draw(&img, []core.Detection{{Label: "person", Score: 0.81, Box: core.Box{X: 20, Y: 100, W: 60, H: 100}, TrackID: id}})
		n := 0
		for x := 0; x < 320; x++ {
			v := img.GetVecbAt(95, x)
			if v[0] != 0 || v[1] != 0 || v[2] != 0 {
				n++
			}
		}
		return n
	}
	if plain, tracked := width(0), width(12); tracked <= plain {
		t.Errorf("caption row: got %d pixels with a track id, %d without; want the id to widen it", tracked, plain)
	}
}

func BenchmarkDraw(b *testing.B) {
	img := gocv.IMRead("/usr/share/darknet/data/person.jpg", gocv.IMReadColor)
	if img.Empty() {
		b.Skip("no /usr/share/darknet/data/person.jpg (Debian's darknet data)")
	}
	defer img.Close()
	dets := []core.Detection{
		{Label: "dog", ClassID: 16, Score: 0.63, Box: core.Box{X: 68, Y: 262, W: 134, H: 88}},
		{Label: "person", ClassID: 0, Score: 0.58, Box: core.Box{X: 188, Y: 100, W: 88, H: 272}},
		{Label: "horse", ClassID: 17, Score: 0.44, Box: core.Box{X: 402, Y: 138, W: 203, H: 206}},
	}
	b.ReportAllocs()
	for b.Loop() {
		Draw(&img, dets)
	}
}

func TestCaptionsDoNotCoverEachOther(t *testing.T) {
	bounds := image.Rect(0, 0, 768, 576)
	c := image.Pt(100, 20)
	for _, tc := range []struct {
		name   string
		box    image.Rectangle
		placed []image.Rectangle
		want   image.Rectangle
	}{
		{"above the box", image.Rect(200, 100, 240, 200), nil, image.Rect(200, 80, 300, 100)},
		{"inside the top at the frame's top", image.Rect(200, 5, 240, 200), nil, image.Rect(200, 5, 300, 25)},
		{"within the frame's right edge", image.Rect(700, 100, 760, 200), nil, image.Rect(668, 80, 768, 100)},
		{"inside the top when above is taken", image.Rect(250, 100, 290, 200), []image.Rectangle{image.Rect(200, 80, 300, 100)}, image.Rect(250, 100, 350, 120)},
		{"below when both tops are taken", image.Rect(250, 100, 290, 200), []image.Rectangle{image.Rect(200, 80, 300, 100), image.Rect(300, 100, 400, 120)}, image.Rect(250, 200, 350, 220)},
		{"above when every place is taken", image.Rect(250, 100, 290, 200), []image.Rectangle{image.Rect(0, 0, 768, 576)}, image.Rect(250, 80, 350, 100)},
	} {
		if got := placeCaption(tc.box, c, bounds, tc.placed); got != tc.want {
			t.Errorf("%s: caption at %v, want %v", tc.name, got, tc.want)
		}
	}
	wide := image.Pt(900, 20)
	if got, want := placeCaption(image.Rect(10, 100, 50, 200), wide, bounds, nil), image.Rect(0, 80, 768, 100); got != want {
		t.Errorf("a caption wider than the frame: at %v, want above the box, cut to the frame: %v", got, want)
	}
}

// Two people side by side: the second caption does not cover the first.
func TestDrawKeepsNeighbouringCaptionsApart(t *testing.T) {
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 576, 768, gocv.MatTypeCV8UC3)
	defer img.Close()
	a := core.Detection{Label: "person", ClassID: 0, Score: 0.9, Box: core.Box{X: 200, Y: 150, W: 40, H: 100}}
	b := core.Detection{Label: "person", ClassID: 0, Score: 0.5, Box: core.Box{X: 230, Y: 160, W: 40, H: 100}}
	alone := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 576, 768, gocv.MatTypeCV8UC3)
	defer alone.Close()
	Draw(&alone, []core.Detection{a})
	Draw(&img, []core.Detection{a, b})
	// The first caption, above a's box, is drawn the same with b beside it.
	capArea := image.Rect(201, 130, 236, 149)
	diff := gocv.NewMat()
	defer diff.Close()
	got, want := img.Region(capArea), alone.Region(capArea)
	defer got.Close()
	defer want.Close()
	gocv.AbsDiff(got, want, &diff)
	flat := diff.Reshape(1, 0)
	defer flat.Close()
	if n := gocv.CountNonZero(flat); n != 0 {
		t.Errorf("%d bytes of a's caption changed when b was drawn beside it", n)
	}
}

// A box's outline covers the solid core of OpenCV's anti-aliased
// rectangle of the same thickness, and nothing that rectangle leaves
// untouched but its rounded outer corners: the boxes look as wide as before, only without the faint
// fringe (a thinner line faded out of the live view's scaled image).
func TestOutlineCoversOpenCVsLine(t *testing.T) {
	grey := gocv.NewScalar(128, 128, 128, 0)
	col := color.RGBA{R: 235, G: 179, B: 35, A: 255}
	r := image.Rect(30, 20, 150, 170)
	for thick := 1; thick <= 7; thick++ {
		want := gocv.NewMatWithSizeFromScalar(grey, 240, 320, gocv.MatTypeCV8UC3)
		got := gocv.NewMatWithSizeFromScalar(grey, 240, 320, gocv.MatTypeCV8UC3)
		gocv.Rectangle(&want, r, col, thick)
		outline(&got, r, col, thick)
		var missed, extra int
		for y := range want.Rows() {
			for x := range want.Cols() {
				w, g := want.GetVecbAt(y, x), got.GetVecbAt(y, x)
				solid := w[0] == col.B && w[1] == col.G && w[2] == col.R
				touched := w[0] != 128 || w[1] != 128 || w[2] != 128
				painted := g[0] != 128 || g[1] != 128 || g[2] != 128
				if solid && !painted {
					missed++
				}
				if painted && !touched && !nearCorner(image.Pt(x, y), r, thick) {
					extra++ // OpenCV rounds a thick line's outer corners; ours are square
				}
			}
		}
		if missed > 0 || extra > 0 {
			t.Errorf("thickness %d: %d pixels of OpenCV's solid line not painted, %d painted that it leaves alone", thick, missed, extra)
		}
		want.Close()
		got.Close()
	}
}

// nearCorner says whether p is within d pixels (both ways) of a corner of r.
func nearCorner(p image.Point, r image.Rectangle, d int) bool {
	for _, c := range []image.Point{r.Min, {r.Max.X, r.Min.Y}, {r.Min.X, r.Max.Y}, r.Max} {
		if abs(p.X-c.X) <= d && abs(p.Y-c.Y) <= d {
			return true
		}
	}
	return false
}

func abs(v int) int { return max(v, -v) }
