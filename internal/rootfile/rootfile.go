// Package rootfile writes files inside an os.Root: atomically (a synced
// temporary file renamed), with a directory sync, and says which link an
// operation met when it failed because the link leads outside the root.
// Through an os.Root, a link is followed only while it stays inside, so
// nothing is written, removed or renamed outside.
package rootfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
)

// TmpPrefix starts the names of files being written; a crash can leave
// such files behind, to be removed by whoever owns the folder.
const TmpPrefix = ".tmp-"

// Modes of what is written; the process's umask applies, so that every
// file gets the same permissions.
const (
	FileMode fs.FileMode = 0o666
	DirMode  fs.FileMode = 0o777
)

// WriteAtomic writes data to dir/name in root through a temporary file in
// dir (named with TmpPrefix), synced before it is renamed, so that name
// never holds a partial file, even after a crash of the machine. dir and
// name are relative to root.
func WriteAtomic(root *os.Root, dir, name string, data []byte) error {
	tmp, err := CreateTemp(root, dir)
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	tmpName := path.Join(dir, path.Base(tmp.Name()))
	if err == nil {
		err = root.Rename(tmpName, path.Join(dir, name))
	}
	if err != nil {
		root.Remove(tmpName)
	}
	return err
}

// CreateTemp creates a new file in root's dir with a random TmpPrefix
// name and FileMode (os.CreateTemp would make it 0600 whatever the umask).
func CreateTemp(root *os.Root, dir string) (*os.File, error) {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		f, err := root.OpenFile(path.Join(dir, TmpPrefix+hex.EncodeToString(b[:])), os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// SyncDir makes the names in root's dir durable (a rename or a new file
// survives a crash of the machine).
func SyncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
