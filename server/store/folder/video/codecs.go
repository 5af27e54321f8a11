package video

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
)

// Codecs is the codecs parameter of a segment's H.264 (avc1.PPCCLL, from
// its avcC), for a player; a common default when it cannot be read.
func Codecs(fsys fs.FS, dir string, s Segment) string {
	const fallback = "avc1.42C01F"
	f, err := fsys.Open(path.Join(dir, s.File))
	if err != nil {
		return fallback
	}
	defer f.Close()
	b := make([]byte, min(s.InitBytes, 4096))
	if _, err := io.ReadFull(f, b); err != nil {
		return fallback
	}
	i := bytes.Index(b, []byte("avcC"))
	if i < 0 || i+8 > len(b) {
		return fallback
	}
	return fmt.Sprintf("avc1.%02X%02X%02X", b[i+5], b[i+6], b[i+7])
}
