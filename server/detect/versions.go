package detect

import (
	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/engine"
)

// LibraryVersions names the inference libraries, for --version: gocv,
// OpenCV, and ONNX Runtime as loaded from ortLib ("" = the default path),
// or why it could not be loaded.
func LibraryVersions(ortLib string) []string {
	ort := "ONNX Runtime "
	if v, err := engine.LoadONNXRuntime(ortLib); err != nil {
		ort += "not loaded: " + err.Error()
	} else {
		ort += v
	}
	return []string{"gocv " + gocv.Version(), "OpenCV " + gocv.OpenCVVersion(), ort}
}
