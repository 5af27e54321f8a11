package capturecmd

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/framewire/framewire/capture"
)

// sampleBytes is how much of each end of a file the fingerprint reads.
const sampleBytes = 64 << 10

// fingerprint identifies the frames a file gives cheaply: the file's size
// and first and last 64 KiB, and how the client resizes and encodes them,
// hashed. A re-encoded or replaced file with the same name, or another
// --resize, --quality or encoding, gets another fingerprint, so its run is not
// resumed. A folder, glob or list is identified by its files' paths and
// sizes, in order. Live sources and unreadable files have none.
func fingerprint(o *options, info capture.Info, files []string) string {
	if info.Live {
		return ""
	}
	if files != nil {
		return filesFingerprint(o, files)
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
	hashEncoding(h, videoGoesRaw(o, info))
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, sampleBytes)); err != nil {
		return ""
	}
	if _, err := io.Copy(h, io.NewSectionReader(f, max(0, st.Size()-sampleBytes), sampleBytes)); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// filesFingerprint hashes the paths and sizes of files (-1 for a file
// that cannot be read) and the encoding options.
func filesFingerprint(o *options, files []string) string {
	h := sha256.New()
	_ = binary.Write(h, binary.LittleEndian, [3]int64{int64(o.width), int64(o.height), int64(o.quality)})
	hashEncoding(h, photosGoRaw(o, files))
	for _, p := range files {
		size := int64(-1)
		if st, err := os.Stat(p); err == nil {
			size = st.Size()
		}
		fmt.Fprintf(h, "%q %d\n", p, size)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// hashEncoding adds raw frames to h: the model sees other pixels than
// through JPEG. JPEG adds nothing, so runs recorded before raw frames
// existed keep their fingerprint. (A server that takes less than a raw
// frame, as it says once the call is open, gets JPEG frames under the
// same fingerprint.)
func hashEncoding(h io.Writer, raw bool) {
	if raw {
		io.WriteString(h, "raw\n")
	}
}

// videoGoesRaw says whether the frames of a video of info go as raw
// pixels, judged by its first frame's size. (In a video whose picture
// changes size, a frame too large for raw goes as JPEG; which frames do is
// the same on every run, so the fingerprint still names the pixels sent.)
func videoGoesRaw(o *options, info capture.Info) bool {
	return captureOptions(o).SendsRaw(info.Width, info.Height)
}

// photosGoRaw says whether some photos may go as raw pixels: those the
// client decodes again, all of them with --resize, else those that are
// not JPEG or PNG files (judged by name here).
func photosGoRaw(o *options, files []string) bool {
	if !captureOptions(o).Raw {
		return false
	}
	if o.width != 0 || o.height != 0 {
		return true
	}
	return slices.ContainsFunc(files, func(p string) bool {
		ext := strings.ToLower(filepath.Ext(p))
		return ext != ".jpg" && ext != ".jpeg" && ext != ".png"
	})
}
