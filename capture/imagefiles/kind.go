package imagefiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kinds of image sources.
const (
	KindFolder = "folder" // the images of one folder, not its subfolders
	KindGlob   = "glob"   // the files a glob pattern matches
	KindList   = "list"   // the files a .txt file lists, one a line
)

// Kind says whether path names an image source, and which: an existing
// folder, an existing .txt file, or a glob pattern (with *, ? or [) that
// is not an existing file. Anything else is none ("").
func Kind(path string) string {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return KindFolder
	case err == nil && fi.Mode().IsRegular() && strings.EqualFold(filepath.Ext(path), ".txt"):
		return KindList
	case err != nil && strings.ContainsAny(path, "*?["):
		return KindGlob
	}
	return ""
}

// List lists the files of an image source of kind, in order; it fails
// when there are none.
func List(kind, spec string) ([]File, error) {
	files, err := find(kind, spec)
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("%s %q has no images", kind, spec)
	}
	return files, err
}

// find lists the files of an image source of kind, in order.
func find(kind, spec string) ([]File, error) {
	switch kind {
	case KindFolder:
		return InFolder(spec)
	case KindGlob:
		return Glob(spec)
	}
	return Listed(spec)
}
