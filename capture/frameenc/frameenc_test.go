package frameenc

import (
	"bytes"
	"image"
	"runtime"
	"testing"

	"gocv.io/x/gocv"

	framewirepb "github.com/framewire/framewire/proto"
)

// Raw frames are 8-bit BGR pixels; other frames (a grey or a 4-channel
// camera) go as JPEG rather than fail.
func TestRawOnlyForBGR(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  gocv.MatType
		want framewirepb.Encoding
	}{
		{"BGR", gocv.MatTypeCV8UC3, framewirepb.Encoding_ENCODING_RAW_BGR},
		{"grey", gocv.MatTypeCV8UC1, framewirepb.Encoding_ENCODING_JPEG},
		{"BGRA", gocv.MatTypeCV8UC4, framewirepb.Encoding_ENCODING_JPEG},
	} {
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(10, 20, 30, 255), 48, 64, c.typ)
		e := New(Config{Quality: 90, Raw: true})
		f, err := e.Encode(img, nil)
		if err != nil || f.Encoding != c.want || f.Width != 64 || f.Height != 48 {
			t.Errorf("%s: %v %dx%d %v, want %v 64x48", c.name, f.Encoding, f.Width, f.Height, err, c.want)
		}
		if c.want == framewirepb.Encoding_ENCODING_RAW_BGR && !bytes.Equal(f.Data, bytes.Repeat([]byte{10, 20, 30}, 64*48)) {
			t.Errorf("%s: raw bytes are not the pixels", c.name)
		}
		e.Close()
		img.Close()
	}
}

// A frame cut from a larger one (not continuous in memory) is copied
// before its pixels are taken.
func TestRawOfARegion(t *testing.T) {
	big := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(1, 2, 3, 0), 100, 100, gocv.MatTypeCV8UC3)
	defer big.Close()
	region := big.Region(image.Rect(10, 10, 30, 20))
	defer region.Close()
	e := New(Config{Quality: 90, Raw: true})
	defer e.Close()
	f, err := e.Encode(region, nil)
	if err != nil || f.Encoding != framewirepb.Encoding_ENCODING_RAW_BGR || len(f.Data) != 20*10*3 {
		t.Fatalf("%v, %d bytes, %v; want raw 600 bytes", f.Encoding, len(f.Data), err)
	}
	if !bytes.Equal(f.Data, bytes.Repeat([]byte{1, 2, 3}, 20*10)) {
		t.Error("raw bytes of a region are not its pixels")
	}
}

// A raw frame's buffer given back is filled with a later frame (no new
// buffer) when it is large enough; a smaller one is left alone.
func TestRawBuffersAreRecycled(t *testing.T) {
	e := New(Config{Quality: 90, Raw: true})
	defer e.Close()
	encode := func(v float64, rows int) []byte {
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(v, v, v, 0), rows, 10, gocv.MatTypeCV8UC3)
		defer img.Close()
		f, err := e.Encode(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, bytes.Repeat([]byte{byte(v)}, rows*10*3)) {
			t.Fatalf("frame of %v: raw bytes are not its pixels", v)
		}
		return f.Data
	}
	first := encode(1, 10)
	e.Put(first)
	if second := encode(2, 10); &second[0] != &first[0] {
		t.Errorf("the second frame has a new buffer; want the first's, given back")
	}
	e.Put(first[:0:100]) // too small for the next frame
	if third := encode(3, 10); &third[0] == &first[0] {
		t.Errorf("a buffer too small was used")
	}
}

// With its buffers given back, encoding raw frames allocates no frame
// buffers: 20 frames of 768x576 allocate less than one frame's bytes.
func TestRecycledRawFramesAllocateNoFrames(t *testing.T) {
	e := New(Config{Quality: 90, Raw: true})
	defer e.Close()
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(7, 8, 9, 0), 576, 768, gocv.MatTypeCV8UC3)
	defer img.Close()
	encode := func() {
		f, err := e.Encode(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.Put(f.Data)
	}
	encode() // the first frame's buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		encode()
	}
	runtime.ReadMemStats(&after)
	if got, frame := after.TotalAlloc-before.TotalAlloc, uint64(768*576*3); got >= frame {
		t.Errorf("20 recycled frames allocated %d bytes, want less than one frame's %d", got, frame)
	}
}

// Only a raw frame's buffer, which the encoder made, is filled again: a
// JPEG's bytes given back are left alone.
func TestSourceRecyclesOnlyRawFrames(t *testing.T) {
	s := &Source{enc: New(Config{Quality: 90, Raw: true})}
	defer s.enc.Close()
	jpg := &framewirepb.Frame{Encoding: framewirepb.Encoding_ENCODING_JPEG, Data: make([]byte, 10*10*3)}
	s.Recycle(jpg)
	if len(s.enc.free) != 0 {
		t.Errorf("a JPEG frame's bytes were kept for raw frames")
	}
	raw := &framewirepb.Frame{Encoding: framewirepb.Encoding_ENCODING_RAW_BGR, Data: make([]byte, 10*10*3)}
	s.Recycle(raw)
	if len(s.enc.free) != 1 {
		t.Errorf("a raw frame's buffer was not kept")
	}
}

// A raw frame given with its own bytes is sent as them, without a copy;
// resized, or as JPEG, it is encoded and its bytes come back to be lent
// again.
func TestLentPixels(t *testing.T) {
	lent := func() (gocv.Mat, []byte) {
		px := bytes.Repeat([]byte{4, 5, 6}, 64*48)
		img, err := gocv.NewMatFromBytes(48, 64, gocv.MatTypeCV8UC3, px)
		if err != nil {
			t.Fatal(err)
		}
		return img, px
	}
	for _, c := range []struct {
		name   string
		cfg    Config
		asThem bool
	}{
		{"raw", Config{Quality: 90, Raw: true}, true},
		{"resized", Config{Quality: 90, Raw: true, Width: 32}, false},
		{"JPEG", Config{Quality: 90}, false},
	} {
		e := New(c.cfg)
		img, px := lent()
		f, err := e.Encode(img, px)
		if err != nil {
			t.Fatal(err)
		}
		sent := len(f.Data) > 0 && &f.Data[0] == &px[0]
		back := e.Get(len(px))
		if sent != c.asThem || (&back[0] == &px[0]) == c.asThem {
			t.Errorf("%s: sent as the pixels given %v, given back %v; want %v and %v", c.name, sent, !sent && &back[0] == &px[0], c.asThem, !c.asThem)
		}
		img.Close()
		e.Close()
	}
}
