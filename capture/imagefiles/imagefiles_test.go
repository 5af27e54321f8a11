package imagefiles

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/framewire/framewire/internal/exif/exiftest"
)

func TestSizesAreThePhotosUpright(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	for o, want := range map[int][2]int32{1: {40, 30}, 3: {40, 30}, 6: {30, 40}, 7: {30, 40}} {
		data := exiftest.JPEG(b.Bytes(), exiftest.TIFF(binary.BigEndian, uint16(o)))
		f, ok := AsFrame(data)
		if !ok || f.Width != want[0] || f.Height != want[1] {
			t.Errorf("AsFrame, orientation %d: got %dx%d (%v), want %dx%d", o, f.GetWidth(), f.GetHeight(), ok, want[0], want[1])
		}
		p := filepath.Join(t.TempDir(), "p.jpg")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if w, h, ok := HeaderSize(p); !ok || w != int(want[0]) || h != int(want[1]) {
			t.Errorf("HeaderSize, orientation %d: got %dx%d (%v), want %dx%d", o, w, h, ok, want[0], want[1])
		}
	}
}
