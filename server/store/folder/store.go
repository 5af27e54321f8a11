// Package folder keeps streams' output in a folder: <root>/<name>/ holds
// run.json, predictions.jsonl and one annotated JPEG per frame. Several
// servers may share the root (NFS, CephFS, a ReadWriteMany volume): a
// stream name is owned by one call at a time, through a lease file under
// <root>/.leases. Every file is reached through an os.Root: a link inside
// the folder is followed only while it stays inside, so nothing is ever
// written, removed or renamed outside the root.
package folder

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/server/core"
)

var _ core.Store = (*Store)(nil)

// Store is a folder of stream outputs. Safe for concurrent use.
type Store struct {
	root     *os.Root
	owners   *owners
	liveKeep int
	video    *VideoConfig // nil: no stream has a video
	log      *slog.Logger
}

// New returns the store in dir, which it creates and checks can be
// written. A live stream keeps the JPEGs of its last liveKeep frames (0 =
// all). log (nil: none) hears what the store repaired.
func New(dir string, liveKeep int, log *slog.Logger) (*Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("no output folder given")
	}
	if err := os.MkdirAll(dir, rootfile.DirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open output folder: %w", err)
	}
	if err := checkWritable(root); err != nil {
		root.Close()
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{root: root, owners: newOwners(root), liveKeep: liveKeep, log: log}, nil
}

// FS reads the folder (for serving its videos).
func (s *Store) FS() fs.FS { return s.root.FS() }

// Close lets the folder go; the store is not used after it.
func (s *Store) Close() error { return s.root.Close() }

// WriteUnaryImage writes a DetectFrame call's image under
// <root>/_unary/<name>/, never into a stream's folder.
func (s *Store) WriteUnaryImage(name string, seq int64, jpeg []byte) (string, error) {
	dir := path.Join(core.UnaryName, name)
	if err := s.root.MkdirAll(dir, rootfile.DirMode); err != nil {
		return "", fmt.Errorf("create output folder of %q: %w", name, rootfile.ExplainLinks(s.root, err))
	}
	if err := rootfile.WriteAtomic(s.root, dir, ImageName(seq), jpeg); err != nil {
		return "", fmt.Errorf("write image %d: %w", seq, rootfile.ExplainLinks(s.root, err))
	}
	return path.Join(dir, ImageName(seq)), nil
}

// checkWritable proves a file can be made in root.
func checkWritable(root *os.Root) error {
	f, err := rootfile.CreateTemp(root, ".")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", root.Name(), err)
	}
	f.Close()
	return root.Remove(path.Base(f.Name()))
}
