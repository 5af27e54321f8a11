package folder

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
)

// Names in a stream's folder.
const (
	// PredictionsFile has one JSON line per frame.
	PredictionsFile = "predictions.jsonl"
	// ManifestFile describes the run whose output the folder holds.
	ManifestFile = "run.json"
	// tmpPrefix starts the names of files being written; a crash can leave
	// such files behind, and reopening the folder removes them.
	tmpPrefix = ".tmp-"
)

// Modes of what the server writes; the process's umask applies, so that
// images, predictions and manifests get the same permissions.
const (
	fileMode fs.FileMode = 0o666
	dirMode  fs.FileMode = 0o777
)

// ImageName is the file name of frame seq's annotated image.
func ImageName(seq int64) string {
	return fmt.Sprintf("%08d.jpg", seq)
}

// WriteFileAtomic writes data to dir/name through a temporary file in dir
// (named with tmpPrefix, swept when a stream folder reopens), synced
// before it is renamed, so that name never holds a partial file, even
// after a crash of the machine. Nothing is written outside dir, whatever
// links it holds.
func WriteFileAtomic(dir, name string, data []byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return writeFileAtomic(root, ".", name, data)
}

// writeFileAtomic writes data to dir/name in root as WriteFileAtomic
// does; dir and name are relative to root.
func writeFileAtomic(root *os.Root, dir, name string, data []byte) error {
	tmp, err := createTemp(root, dir)
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

// createTemp creates a new file in root's dir with a random tmpPrefix
// name and fileMode (os.CreateTemp would make it 0600 whatever the umask).
func createTemp(root *os.Root, dir string) (*os.File, error) {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		f, err := root.OpenFile(path.Join(dir, tmpPrefix+hex.EncodeToString(b[:])), os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// syncDir makes the names in root's dir durable (a rename or a new
// file survives a crash of the machine).
func syncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
