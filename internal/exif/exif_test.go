package exif_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/framewire/framewire/internal/exif"
	"github.com/framewire/framewire/internal/exif/exiftest"
)

// smallJPEG and smallPNG are 8x4 grey pictures.
func smallJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func smallPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOrientationOfJPEGAndPNGInBothByteOrders(t *testing.T) {
	files := map[string]func([]byte, []byte) []byte{"jpeg": exiftest.JPEG, "png": exiftest.PNG}
	plain := map[string][]byte{"jpeg": smallJPEG(t), "png": smallPNG(t)}
	for kind, add := range files {
		for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			for o := 1; o <= 8; o++ {
				data := add(plain[kind], exiftest.TIFF(order, uint16(o)))
				if got := exif.Orientation(data); got != o {
					t.Errorf("%s %v orientation %d: got %d", kind, order, o, got)
				}
			}
		}
		if got := exif.Orientation(plain[kind]); got != exif.Upright {
			t.Errorf("%s without EXIF: got %d, want 1", kind, got)
		}
	}
}

func TestOrientationIgnoresWhatItCannotUse(t *testing.T) {
	jpg := smallJPEG(t)
	xmp := append([]byte{0xff, 0xe1, 0, 6}, "http"...)
	withXMP := append(append([]byte{0xff, 0xd8}, xmp...), exiftest.JPEG(jpg, exiftest.TIFF(binary.BigEndian, 6))[2:]...)
	bad := exiftest.TIFF(binary.BigEndian, 9)
	cases := map[string]struct {
		data []byte
		want int
	}{
		"an XMP APP1 before the EXIF one": {withXMP, 6},
		"orientation 9":                   {exiftest.JPEG(jpg, bad), 1},
		"orientation 0":                   {exiftest.JPEG(jpg, exiftest.TIFF(binary.LittleEndian, 0)), 1},
		"not TIFF":                        {exiftest.JPEG(jpg, []byte("XX\x00\x2a\x00\x00\x00\x08")), 1},
		"directory past the end":          {exiftest.JPEG(jpg, []byte("MM\x00\x2a\x7f\x00\x00\x00")), 1},
		"cut in the directory":            {exiftest.JPEG(jpg, exiftest.TIFF(binary.BigEndian, 6)[:20]), 1},
		"cut in the segment":              {exiftest.JPEG(jpg, exiftest.TIFF(binary.BigEndian, 6))[:30], 1},
		"EXIF after the image data":       {append(append([]byte{}, jpg[:len(jpg)-2]...), exiftest.JPEG([]byte{0xff, 0xd8}, exiftest.TIFF(binary.BigEndian, 6))[2:]...), 1},
		"empty":                           {nil, 1},
		"a GIF":                           {[]byte("GIF89a"), 1},
	}
	for name, c := range cases {
		if got := exif.Orientation(c.data); got != c.want {
			t.Errorf("%s: got %d, want %d", name, got, c.want)
		}
	}
}

func TestUprightSize(t *testing.T) {
	for o, want := range map[int][2]int{1: {640, 480}, 3: {640, 480}, 4: {640, 480}, 5: {480, 640}, 6: {480, 640}, 8: {480, 640}} {
		if w, h := exif.UprightSize(640, 480, o); w != want[0] || h != want[1] {
			t.Errorf("orientation %d: got %dx%d, want %dx%d", o, w, h, want[0], want[1])
		}
	}
}

// TestOrientationExiftoolWrites reads the orientation exiftool (Debian's
// libimage-exiftool-perl) writes, with more tags around it, in both byte
// orders, so that the reader does not only understand its own tests' files.
// One exiftool process writes every file (-execute between them).
func TestOrientationExiftoolWrites(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Skip("exiftool is needed (apt-get install libimage-exiftool-perl)")
	}
	dir := t.TempDir()
	want := map[string]int{}
	var args []string
	for _, order := range []string{"II", "MM"} {
		for o := 1; o <= 8; o++ {
			p := filepath.Join(dir, order+strconv.Itoa(o)+".jpg")
			if err := os.WriteFile(p, smallJPEG(t), 0o644); err != nil {
				t.Fatal(err)
			}
			want[p] = o
			args = append(args, "-q", "-overwrite_original", "-n", "-ExifByteOrder="+order, "-Orientation="+strconv.Itoa(o),
				"-Make=framewire", "-DateTimeOriginal=2026:01:02 03:04:05", p, "-execute")
		}
	}
	if out, err := exec.Command("exiftool", args...).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	for p, o := range want {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := exif.Orientation(data); got != o {
			t.Errorf("exiftool %s: got orientation %d, want %d", filepath.Base(p), got, o)
		}
	}
}

// FuzzOrientation feeds arbitrary bytes after a JPEG and a PNG start: the
// reader never panics and always answers 1 to 8. Run it with
//
//	go test -run '^$' -fuzz FuzzOrientation -fuzztime 60s ./internal/exif/
func FuzzOrientation(f *testing.F) {
	f.Add(exiftest.JPEG(smallJPEG(f), exiftest.TIFF(binary.LittleEndian, 6)))
	f.Add(exiftest.PNG(smallPNG(f), exiftest.TIFF(binary.BigEndian, 8)))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := exif.Orientation(data); o < 1 || o > 8 {
			t.Fatalf("got orientation %d", o)
		}
	})
}
