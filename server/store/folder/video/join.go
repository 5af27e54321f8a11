package video

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
)

// Join writes the segments of x, in dir of fsys, as one fragmented MP4:
// the first one's initialisation section, then every segment's fragments
// (they share one timeline). Segments whose initialisation differs (the
// picture changed size) cannot be joined so.
func Join(w io.Writer, fsys fs.FS, dir string, x Index) error {
	var init []byte
	for i, s := range x.Segments {
		b, err := fs.ReadFile(fsys, path.Join(dir, s.File))
		if err != nil {
			return fmt.Errorf("join segments: %w", err)
		}
		n, err := initSize(b)
		if err != nil {
			return fmt.Errorf("join segment %s: %w", s.File, err)
		}
		if i == 0 {
			init = b[:n]
			if _, err := w.Write(init); err != nil {
				return err
			}
		} else if !bytes.Equal(init, b[:n]) {
			return errors.New("join segments: their pictures differ in size or kind")
		}
		if err := writeFragments(w, b, n); err != nil {
			return err
		}
	}
	return nil
}

// writeFragments writes the moof and mdat boxes of b after from.
func writeFragments(w io.Writer, b []byte, from int) error {
	bs, err := boxes(b, from, len(b))
	if err != nil {
		return err
	}
	for _, x := range bs {
		if x.typ != "moof" && x.typ != "mdat" {
			continue
		}
		if _, err := w.Write(b[x.start:x.end]); err != nil {
			return err
		}
	}
	return nil
}

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
