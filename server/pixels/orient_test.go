package pixels

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/exif/exiftest"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
)

// gradient is a w x h picture whose every pixel differs, so that any
// wrong turn or mirror shows.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 5), uint8(y * 9), uint8(x*3 + y*7), 255})
		}
	}
	return img
}

// encodePNG is img as a PNG file without alpha.
func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	b := img.Bounds()
	rgb := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			rgb.Set(x, y, img.At(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, rgb); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeTurnsPhotosUpright stores a picture in each of the 8 EXIF
// orientations, as a PNG (lossless) and a JPEG, and decodes it: the PNG
// gives back the upright picture exactly, and both give the pixels
// OpenCV's own EXIF handling (imdecode in colour) gives.
func TestDecodeTurnsPhotosUpright(t *testing.T) {
	up := gradient(24, 16)
	want := decodeOK(t, &pb.Frame{Encoding: pb.Encoding_ENCODING_PNG, Data: encodePNG(t, up)})
	defer want.Close()
	for o := 1; o <= 8; o++ {
		order := binary.AppendByteOrder(binary.LittleEndian)
		if o%2 == 0 {
			order = binary.BigEndian
		}
		stored := encodePNG(t, exiftest.Stored(up, o))
		pngData := exiftest.PNG(stored, exiftest.TIFF(order, uint16(o)))
		got := decodeOK(t, &pb.Frame{Encoding: pb.Encoding_ENCODING_PNG, Data: pngData})
		if !sameMat(got, want) {
			t.Errorf("PNG orientation %d: got %dx%d not the upright picture", o, got.Cols(), got.Rows())
		}
		got.Close()
		checkLikeOpenCV(t, pb.Encoding_ENCODING_PNG, pngData, o)
		jpg, err := gocv.IMEncode(".jpg", mustDecode(t, stored))
		if err != nil {
			t.Fatal(err)
		}
		checkLikeOpenCV(t, pb.Encoding_ENCODING_JPEG, exiftest.JPEG(jpg.GetBytes(), exiftest.TIFF(order, uint16(o))), o)
		jpg.Close()
	}
}

// checkLikeOpenCV decodes data as a frame and compares it with OpenCV's
// imdecode in colour, which applies EXIF orientations itself.
func checkLikeOpenCV(t *testing.T, enc pb.Encoding, data []byte, o int) {
	t.Helper()
	got := decodeOK(t, &pb.Frame{Encoding: enc, Data: data})
	defer got.Close()
	cv, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	defer cv.Close()
	if got.Cols() != 24 || got.Rows() != 16 || !sameMat(got, cv) {
		t.Errorf("%s orientation %d: got %dx%d, want OpenCV's %dx%d pixels", encodingName(enc), o, got.Cols(), got.Rows(), cv.Cols(), cv.Rows())
	}
}

func decodeOK(t *testing.T, f *pb.Frame) gocv.Mat {
	t.Helper()
	m, err := decodeFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustDecode is PNG data decoded by OpenCV; the test's cleanup closes it.
func mustDecode(t *testing.T, data []byte) gocv.Mat {
	t.Helper()
	m, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil || m.Empty() {
		t.Fatalf("decode: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// sameMat reports whether a and b have the same size, type and bytes.
func sameMat(a, b gocv.Mat) bool {
	return a.Cols() == b.Cols() && a.Rows() == b.Rows() && a.Type() == b.Type() && bytes.Equal(a.ToBytes(), b.ToBytes())
}

// TestProcessorTurnsExiftoolPNGsUpright has exiftool (Debian's
// libimage-exiftool-perl), not the test's own writer, put each EXIF
// orientation into a PNG of the stored pixels, in both byte orders and
// among other tags (it writes an eXIf chunk), and sends each through the
// processor as the server does: each comes out as the upright picture,
// exactly.
func TestProcessorTurnsExiftoolPNGsUpright(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Skip("exiftool is needed (apt-get install libimage-exiftool-perl)")
	}
	up := gradient(24, 16)
	want := decodeOK(t, &pb.Frame{Encoding: pb.Encoding_ENCODING_PNG, Data: encodePNG(t, up)})
	defer want.Close()
	p, err := New(Config{Model: detect.Config{Kind: detect.KindMean}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, data := range exiftoolPNGs(t, up) {
		if !bytes.Contains(data, []byte("eXIf")) {
			t.Fatalf("%s: exiftool wrote no eXIf chunk", name)
		}
		d, err := p.Detect(context.Background(), &pb.Frame{Encoding: pb.Encoding_ENCODING_PNG, Data: data})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pic := d.Picture.(*picture)
		if d.Width != 24 || d.Height != 16 || !sameMat(pic.bgr, want) {
			t.Errorf("%s: got %dx%d, not the upright picture", name, d.Width, d.Height)
		}
		if err := pic.Close(); err != nil {
			t.Error(err)
		}
	}
}

// exiftoolPNGs is up stored in each orientation as a PNG into which one
// exiftool process (-execute between files) wrote the orientation, in
// Intel ("II") and Motorola ("MM") byte order, by file name.
func exiftoolPNGs(t *testing.T, up image.Image) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	var args, names []string
	for _, order := range []string{"II", "MM"} {
		for o := 1; o <= 8; o++ {
			name := order + strconv.Itoa(o) + ".png"
			if err := os.WriteFile(filepath.Join(dir, name), encodePNG(t, exiftest.Stored(up, o)), 0o644); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
			args = append(args, "-q", "-overwrite_original", "-n", "-ExifByteOrder="+order, "-Orientation="+strconv.Itoa(o),
				"-Make=framewire", "-DateTimeOriginal=2026:01:02 03:04:05", filepath.Join(dir, name), "-execute")
		}
	}
	if out, err := exec.Command("exiftool", args...).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	files := map[string][]byte{}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	return files
}
