package folder

import (
	"fmt"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder/journal"
)

// Names in a stream's folder (the output contract's, in proto/record).
const (
	// PredictionsFile has one JSON line per frame.
	PredictionsFile = journal.FileName
	// ManifestFile describes the run whose output the folder holds.
	ManifestFile = record.ManifestFile
)

// ImageName is the file name of frame seq's annotated image.
func ImageName(seq int64) string {
	return fmt.Sprintf("%08d.jpg", seq)
}
