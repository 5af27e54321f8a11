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

// ReadInit reads segment s's initialisation section from dir of fsys.
func ReadInit(fsys fs.FS, dir string, s Segment) ([]byte, error) {
	f, err := fsys.Open(path.Join(dir, s.File))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, s.InitBytes)
	_, err = io.ReadFull(f, b)
	return b, err
}
