package video

import (
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/framewire/framewire/server/store/folder/video/fmp4"
)

// Codecs is the codecs parameter of a segment's H.264 (avc1.PPCCLL, from
// its avcC), for a player; a common default when it cannot be read.
func Codecs(fsys fs.FS, dir string, s Segment) string {
	const fallback = "avc1.42C01F"
	init, err := ReadInit(fsys, dir, s)
	if err != nil {
		return fallback
	}
	avcc, ok := fmp4.AVCC(init)
	if !ok || len(avcc) < 4 {
		return fallback
	}
	return fmt.Sprintf("avc1.%02X%02X%02X", avcc[1], avcc[2], avcc[3])
}

// maxInit bounds the initialisation section a segment's index entry may
// give: ffmpeg's is about a kilobyte (its parameter sets included).
const maxInit = 1 << 20

// ReadInit reads segment s's initialisation section from dir of fsys.
// A size the index gives that the segment cannot hold (beyond the file,
// or maxInit) is an error.
func ReadInit(fsys fs.FS, dir string, s Segment) ([]byte, error) {
	f, err := fsys.Open(path.Join(dir, s.File))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if s.InitBytes <= 0 || s.InitBytes > min(maxInit, st.Size()) {
		return nil, fmt.Errorf("segment %s: its index gives it an initialisation section of %d bytes, which cannot be (the file has %d bytes; a section at most %d)",
			s.File, s.InitBytes, st.Size(), maxInit)
	}
	b := make([]byte, s.InitBytes)
	if _, err = io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read the initialisation section of segment %s: %w", s.File, err)
	}
	return b, nil
}
