package capturecmd

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
)

// saver writes the annotated JPEGs the server sends back (--save) as
// <root>/<name>/<seq>.jpg, with the server's stream name (which
// --increment may have changed) and file names, each to a temporary file
// renamed into place so that a final name never holds a partial image.
// Used from one goroutine (the stream's result callback).
type saver struct {
	root  string
	dir   string   // the stream's folder, once made
	files *os.Root // dir, where every image is written
	saved int
	err   error // the first failure; later images are not attempted
}

// newSaver creates root for the images of one stream.
func newSaver(root string) (*saver, error) {
	if err := os.MkdirAll(root, 0o777); err != nil {
		return nil, fmt.Errorf("--save: %w", err)
	}
	return &saver{root: root}, nil
}

// save writes r's annotated JPEG, if it carries one. A nil *saver saves
// nothing.
func (s *saver) save(r *pb.FrameResult) {
	if s == nil || s.err != nil || len(r.GetAnnotatedJpeg()) == 0 {
		return
	}
	if err := s.makeDir(r.GetOutputPath()); err != nil {
		s.err = fmt.Errorf("--save: %w", err)
		return
	}
	if err := rootfile.WriteAtomic(s.files, ".", path.Base(r.GetOutputPath()), r.GetAnnotatedJpeg()); err != nil {
		s.err = fmt.Errorf("--save: %w", err)
		return
	}
	s.saved++
}

// makeDir makes the folder of the server's output path "<name>/<file>".
func (s *saver) makeDir(outputPath string) error {
	name := path.Dir(outputPath)
	if name == "." || name == ".." || strings.ContainsAny(name, "/\\") || !strings.HasSuffix(outputPath, ".jpg") {
		return fmt.Errorf("the server's output path %q is not <name>/<file>.jpg", outputPath)
	}
	dir := filepath.Join(s.root, name)
	if dir == s.dir {
		return nil
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	files, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	s.close()
	s.dir, s.files = dir, files
	return nil
}

// close lets go of the stream's folder. A nil *saver has none.
func (s *saver) close() {
	if s != nil && s.files != nil {
		s.files.Close()
	}
}

// where says where the images went.
func (s *saver) where() string {
	if s.dir == "" {
		return s.root
	}
	return s.dir
}
