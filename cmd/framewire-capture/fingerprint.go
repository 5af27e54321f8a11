package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"

	"github.com/framewire/framewire/capture"
)

// sampleBytes is how much of each end of a file the fingerprint reads.
const sampleBytes = 64 << 10

// fingerprint identifies the frames a file gives cheaply: the file's size
// and first and last 64 KiB, and how the client resizes and encodes them,
// hashed. A re-encoded or replaced file with the same name, or another
// --resize or --quality, gets another fingerprint, so its run is not
// resumed. Live sources and unreadable files have none.
func fingerprint(o *options, info capture.Info) string {
	if info.Live {
		return ""
	}
	f, err := os.Open(o.source)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	h := sha256.New()
	// A hash never fails to write.
	_ = binary.Write(h, binary.LittleEndian, [4]int64{st.Size(), int64(o.width), int64(o.height), int64(o.quality)})
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, sampleBytes)); err != nil {
		return ""
	}
	if _, err := io.Copy(h, io.NewSectionReader(f, max(0, st.Size()-sampleBytes), sampleBytes)); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
