package folder

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
// after a crash of the machine.
func WriteFileAtomic(dir, name string, data []byte) error {
	tmp, err := createTemp(dir)
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
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// createTemp creates a new file in dir with a random tmpPrefix name and
// fileMode (os.CreateTemp would make it 0600 whatever the umask).
func createTemp(dir string) (*os.File, error) {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, tmpPrefix+hex.EncodeToString(b[:])), os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}
