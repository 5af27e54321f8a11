// Package join makes a stream's video segments one fragmented MP4: their
// fragments after the first one's initialisation section when they share
// it, else encoded again by ffmpeg at one size (a picture that changed
// size mid-stream).
package join

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/framewire/framewire/server/store/folder/video"
	"github.com/framewire/framewire/server/store/folder/video/fmp4"
)

// Join writes the segments of x, in dir of fsys, as one fragmented MP4.
// When they share one initialisation section it is theirs, then every
// segment's fragments (they share one timeline), copied as they are; when
// the picture changed size, the segments are encoded again by ffmpeg
// (reencode): one track holds one picture size.
func Join(ctx context.Context, w io.Writer, fsys fs.FS, dir string, x video.Index, ffmpeg string) error {
	same, err := sameInit(fsys, dir, x)
	if err != nil {
		return err
	}
	if !same {
		return reencode(ctx, w, fsys, dir, x, ffmpeg)
	}
	for i, s := range x.Segments {
		b, err := fs.ReadFile(fsys, path.Join(dir, s.File))
		if err != nil {
			return fmt.Errorf("join segments: %w", err)
		}
		n, err := fmp4.InitSize(b)
		if err != nil {
			return fmt.Errorf("join segment %s: %w", s.File, err)
		}
		if i == 0 {
			if _, err := w.Write(b[:n]); err != nil {
				return err
			}
		}
		if err := fmp4.WriteFragments(w, b, n); err != nil {
			return err
		}
	}
	return nil
}

// sameInit says whether the segments of x share one initialisation
// section.
func sameInit(fsys fs.FS, dir string, x video.Index) (bool, error) {
	var first []byte
	for i, s := range x.Segments {
		b, err := video.ReadInit(fsys, dir, s)
		if err != nil {
			return false, fmt.Errorf("join segments: read %s: %w", s.File, err)
		}
		if i == 0 {
			first = b
		} else if !bytes.Equal(first, b) {
			return false, nil
		}
	}
	return true, nil
}
