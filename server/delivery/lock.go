package delivery

import (
	"errors"
	"fmt"
	"os"
	"path"
	"syscall"

	"github.com/framewire/framewire/internal/rootfile"
)

// tryLock takes, without waiting, the exclusive right to deliver for
// sink among the servers that share the output folder: an flock on
// <out>/.delivery/<sink>.lock, which the kernel drops when the file is
// closed or the process dies. held false: another server delivers.
func tryLock(root *os.Root, sink string) (f *os.File, held bool, err error) {
	if err := root.MkdirAll(CursorDir, rootfile.DirMode); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", CursorDir, rootfile.ExplainLinks(root, err))
	}
	f, err = root.OpenFile(path.Join(CursorDir, sink+".lock"), os.O_RDWR|os.O_CREATE, rootfile.FileMode)
	if err != nil {
		return nil, false, fmt.Errorf("open the %s delivery lock: %w", sink, rootfile.ExplainLinks(root, err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("lock the %s delivery: %w", sink, err)
	}
	return f, true, nil
}
