// Package fingerprint identifies the frames a client's source gives, so
// that the server resumes a run only for the same frames.
package fingerprint

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

// Of identifies the frames a file gives cheaply: the file's size
// and first and last 64 KiB, and how the client resizes and encodes them,
// hashed. A re-encoded or replaced file with the same name, or another
// --resize, --quality or encoding, gets another fingerprint, so its run is not
// resumed. A folder, glob or list is identified by its files' paths and
// sizes, in order. Live sources and unreadable files have none.
//
// spec is the source, info what it opened as, files a folder's, glob's or
// list's images in order (nil for others), opts how they are encoded
// (Quality as given: 0 is hashed as 0).
func Of(spec string, info capture.Info, files []string, opts capture.Options) string {
	if info.Live {
		return ""
	}
	if files != nil {
		return filesFingerprint(opts, files)
	}
	f, err := os.Open(spec)
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
	_ = binary.Write(h, binary.LittleEndian, [4]int64{st.Size(), int64(opts.Width), int64(opts.Height), int64(opts.Quality)})
	// Raw or not is judged by the first frame's size: in a video whose
	// picture changes size, which frames go as JPEG is the same on every run.
	hashEncoding(h, opts.SendsRaw(info.Width, info.Height))
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
func filesFingerprint(opts capture.Options, files []string) string {
	h := sha256.New()
	_ = binary.Write(h, binary.LittleEndian, [3]int64{int64(opts.Width), int64(opts.Height), int64(opts.Quality)})
	hashEncoding(h, photosGoRaw(opts, files))
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

// photosGoRaw says whether some photos may go as raw pixels: those the
// client decodes again, all of them with --resize, else those that are
// not JPEG or PNG files (judged by name here).
func photosGoRaw(opts capture.Options, files []string) bool {
	if !opts.Raw {
		return false
	}
	if opts.Width != 0 || opts.Height != 0 {
		return true
	}
	return slices.ContainsFunc(files, func(p string) bool {
		ext := strings.ToLower(filepath.Ext(p))
		return ext != ".jpg" && ext != ".jpeg" && ext != ".png"
	})
}
