package detect

import (
	"github.com/framewire/framewire/server/detect/blazeface"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/nanodet"
	"github.com/framewire/framewire/server/detect/yolo"
)

// Family is one model family: its kind, default file, input, thresholds,
// labels and constructor.
type Family = family.Family

// Families is the table of model families, one row each, in the order
// --help lists them. A new family is its own package with a Family
// function, and one row here.
func Families() []Family {
	return []Family{
		{Kind: KindMean, New: newMean, Labels: "none: it finds nothing"},
		nanodet.Family(),
		blazeface.Family(),
		yolo.Family(),
	}
}

// lookup is the row of kind.
func lookup(kind string) (Family, bool) {
	for _, f := range Families() {
		if f.Kind == kind {
			return f, true
		}
	}
	return Family{}, false
}

// Kinds lists the accepted kinds, in the table's order.
func Kinds() []string {
	var kinds []string
	for _, f := range Families() {
		kinds = append(kinds, f.Kind)
	}
	return kinds
}

// DefaultModelFile returns the model file the project's set-up installs for
// a kind, or "" when there is none (mean, yolo, unknown kinds).
func DefaultModelFile(kind string) string {
	f, _ := lookup(kind)
	return f.DefaultFile
}

// DefaultConf is the score threshold a kind uses when none is given (0 for
// mean and unknown kinds).
func DefaultConf(kind string) float32 {
	f, _ := lookup(kind)
	return f.Conf
}
