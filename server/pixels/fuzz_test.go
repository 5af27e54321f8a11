package pixels

import (
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/streamtest"
)

// FuzzFrameDecode feeds arbitrary frames through the validation and decode
// path a received frame takes: it must never crash, never accept a frame
// above the pixel limit, and always close what it decoded. Run it with
//
//	go test -run '^$' -fuzz FuzzFrameDecode -fuzztime 60s ./server/pixels/
func FuzzFrameDecode(f *testing.F) {
	f.Add(int32(pb.Encoding_ENCODING_JPEG), streamtest.JPEG(f, 8, 8), int32(0), int32(0))
	f.Add(int32(pb.Encoding_ENCODING_JPEG), jpegBomb(f), int32(0), int32(0))
	f.Add(int32(pb.Encoding_ENCODING_RAW_BGR), make([]byte, 12), int32(2), int32(2))
	f.Add(int32(pb.Encoding_ENCODING_PNG), []byte("\x89PNG\r\n\x1a\n"), int32(0), int32(0))
	const maxPixels = 1 << 20
	f.Fuzz(func(t *testing.T, enc int32, data []byte, w, h int32) {
		fr := &pb.Frame{Encoding: pb.Encoding(enc), Data: data, Width: w, Height: h}
		if err := checkFrame(fr, maxPixels); err != nil {
			return
		}
		img, err := decodeFrame(fr)
		if err != nil {
			return
		}
		defer img.Close()
		if px := int64(img.Rows()) * int64(img.Cols()); px > maxPixels {
			t.Fatalf("decoded %dx%d, above the limit checked before", img.Cols(), img.Rows())
		}
		bgr, converted, err := toBGR(img)
		if err != nil {
			return
		}
		if converted {
			bgr.Close()
		}
	})
}
