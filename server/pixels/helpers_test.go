package pixels

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/framewire/framewire/stream/streamtest"
)

// jpegBomb is a small JPEG whose header claims 65000x65000 pixels.
func jpegBomb(t testing.TB) []byte {
	b := streamtest.JPEG(t, 16, 16)
	i := bytes.Index(b, []byte{0xff, 0xc0}) // SOF0: len(2) precision(1) height(2) width(2)
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(b[i+5:], 65000)
	binary.BigEndian.PutUint16(b[i+7:], 65000)
	return b
}
