package folder

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/server/core"
)

// leaseFolder holds one lock file per stream name, beside the stream
// folders (no stream name starts with '.'), so that a folder can be
// removed (--overwrite) while its lease is held.
const leaseFolder = ".leases"

// lease is one process's exclusive hold on a stream name in a folder that
// several servers may share (NFS, CephFS, a ReadWriteMany volume): an
// exclusive flock on <out>/.leases/<name>, which the kernel releases when
// the file is closed or the process dies. The file names the run that
// holds it.
type lease struct {
	f *os.File
}

// acquireLease takes name's lease for run runID without waiting. When
// another process holds it, the error wraps core.ErrNameInUse (another run) or
// core.ErrHeldElsewhere (the same run).
func acquireLease(root *os.Root, name, runID string) (*lease, error) {
	if err := root.MkdirAll(leaseFolder, rootfile.DirMode); err != nil {
		return nil, fmt.Errorf("create lease folder: %w", rootfile.ExplainLinks(root, err))
	}
	f, err := root.OpenFile(path.Join(leaseFolder, name), os.O_RDWR|os.O_CREATE, rootfile.FileMode)
	if err != nil {
		return nil, fmt.Errorf("open lease of stream %q: %w", name, rootfile.ExplainLinks(root, err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, heldError(name, runID, holder)
		}
		return nil, fmt.Errorf("lock stream %q: %w", name, err)
	}
	if err := writeHolder(f, runID); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lease of stream %q: %w", name, err)
	}
	return &lease{f: f}, nil
}

// heldError says who holds name's lease.
func heldError(name, runID, holder string) error {
	if runID != "" && holder == runID {
		return fmt.Errorf("stream %q is still held by an earlier call of this run on another server: %w", name, core.ErrHeldElsewhere)
	}
	return fmt.Errorf("stream %q is being written by another client's call (on another server): %w", name, core.ErrNameInUse)
}

func readHolder(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 256))
	return strings.TrimSpace(string(b))
}

func writeHolder(f *os.File, runID string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(runID+"\n"), 0)
	return err
}

// release lets the lease go. A nil lease holds nothing.
func (l *lease) release() {
	if l != nil {
		l.f.Close() // closing the file drops the lock
	}
}
