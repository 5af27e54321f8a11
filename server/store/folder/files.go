package folder

import (
	"fmt"
	"os"

	"github.com/framewire/framewire/server/store/folder/journal"
	"github.com/framewire/framewire/server/store/folder/rootfile"
)

// Names in a stream's folder.
const (
	// PredictionsFile has one JSON line per frame.
	PredictionsFile = journal.FileName
	// ManifestFile describes the run whose output the folder holds.
	ManifestFile = "run.json"
)

// ImageName is the file name of frame seq's annotated image.
func ImageName(seq int64) string {
	return fmt.Sprintf("%08d.jpg", seq)
}

// WriteFileAtomic writes data to dir/name through a temporary file in dir
// (named with a ".tmp-" prefix, swept when a stream folder reopens),
// synced before it is renamed, so that name never holds a partial file,
// even after a crash of the machine. Nothing is written outside dir,
// whatever links it holds.
func WriteFileAtomic(dir, name string, data []byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return rootfile.WriteAtomic(root, ".", name, data)
}
