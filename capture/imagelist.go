package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/framewire/framewire/capture/imagefiles"
)

// Kinds of image sources reported in Info.Kind.
const (
	KindFolder = "folder" // the images of one folder, not its subfolders
	KindGlob   = "glob"   // the files a glob pattern matches
	KindList   = "list"   // the files a .txt file lists, one a line
)

// imageKind says whether spec names an image source, and which: an
// existing folder, an existing .txt file, or a glob pattern (with *, ? or
// [) that is not an existing file. Anything else is not ("").
func imageKind(spec string) string {
	if sp, err := parseSpec(spec); err != nil || sp.kind != KindFile {
		return ""
	}
	return pathKind(spec)
}

// pathKind is the image source kind of a file path spec, or "".
func pathKind(spec string) string {
	fi, err := os.Stat(spec)
	switch {
	case err == nil && fi.IsDir():
		return KindFolder
	case err == nil && fi.Mode().IsRegular() && strings.EqualFold(filepath.Ext(spec), ".txt"):
		return KindList
	case err != nil && strings.ContainsAny(spec, "*?["):
		return KindGlob
	}
	return ""
}

// listImages lists the files of an image source of kind, in order; it
// fails when there are none.
func listImages(kind, spec string) ([]imagefiles.File, error) {
	files, err := findImages(kind, spec)
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("%s %q has no images", kind, spec)
	}
	return files, err
}

// findImages lists the files of an image source of kind, in order.
func findImages(kind, spec string) ([]imagefiles.File, error) {
	switch kind {
	case KindFolder:
		return imagefiles.InFolder(spec)
	case KindGlob:
		return imagefiles.Glob(spec)
	}
	return imagefiles.Listed(spec)
}
