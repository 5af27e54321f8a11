// Package folder keeps streams' output in a folder: <root>/<name>/ holds
// run.json, predictions.jsonl and one annotated JPEG per frame. Several
// servers may share the root (NFS, CephFS, a ReadWriteMany volume): a
// stream name is owned by one call at a time, through a lease file under
// <root>/.leases.
package folder

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/server/core"
)

var _ core.Store = (*Store)(nil)

// Store is a folder of stream outputs. Safe for concurrent use.
type Store struct {
	root     string
	owners   *owners
	liveKeep int
}

// New returns the store in root, which it creates and checks can be
// written. A live stream keeps the JPEGs of its last liveKeep frames (0 =
// all).
func New(root string, liveKeep int) (*Store, error) {
	if root == "" {
		return nil, fmt.Errorf("no output folder given")
	}
	if err := checkDirWritable(root); err != nil {
		return nil, err
	}
	return &Store{root: root, owners: newOwners(root), liveKeep: liveKeep}, nil
}

// WriteUnaryImage writes a DetectFrame call's image under
// <root>/_unary/<name>/, never into a stream's folder.
func (s *Store) WriteUnaryImage(name string, seq int64, jpeg []byte) (string, error) {
	dir := filepath.Join(s.root, core.UnaryName, name)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return "", fmt.Errorf("create output folder of %q: %w", name, err)
	}
	if err := WriteFileAtomic(dir, ImageName(seq), jpeg); err != nil {
		return "", fmt.Errorf("write image %d: %w", seq, err)
	}
	return filepath.ToSlash(filepath.Join(core.UnaryName, name, ImageName(seq))), nil
}

// checkDirWritable creates dir if needed and proves a file can be made in it.
func checkDirWritable(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
