package main

import (
	"fmt"
	"os"
	"path/filepath"

	pb "github.com/framewire/framewire/proto"
)

// saver writes the annotated JPEGs the server sends back (--save) as
// <dir>/<seq>.jpg, with the server's names, each to a temporary file
// renamed into place so that a final name never holds a partial image.
// Used from one goroutine (the stream's result callback).
type saver struct {
	dir   string
	saved int
	err   error // the first failure; later images are not attempted
}

// newSaver creates root/name for the images of stream name.
func newSaver(root, name string) (*saver, error) {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--save: %w", err)
	}
	return &saver{dir: dir}, nil
}

// save writes r's annotated JPEG, if it carries one. A nil *saver saves
// nothing.
func (s *saver) save(r *pb.FrameResult) {
	if s == nil || s.err != nil || len(r.GetAnnotatedJpeg()) == 0 {
		return
	}
	if err := writeFileAtomic(s.dir, fmt.Sprintf("%08d.jpg", r.GetSeq()), r.GetAnnotatedJpeg()); err != nil {
		s.err = fmt.Errorf("--save: %w", err)
		return
	}
	s.saved++
}

// writeFileAtomic writes data to dir/name through a temporary file in dir.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-*.jpg")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
