package capture

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Kinds of image sources reported in Info.Kind.
const (
	KindFolder = "folder" // the images of one folder, not its subfolders
	KindGlob   = "glob"   // the files a glob pattern matches
	KindList   = "list"   // the files a .txt file lists, one a line
)

// imageExts are the file name extensions a folder's images have.
var imageExts = []string{".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".jp2", ".pbm", ".pgm", ".ppm", ".pnm", ".sr", ".ras", ".exr", ".hdr", ".pic"}

// imageFile is one photo of an image source: where to read it, and the
// name its frame carries.
type imageFile struct {
	path, name string
}

// imageKind says whether spec names an image source, and which: an
// existing folder, an existing .txt file, or a glob pattern (with *, ? or
// [) that is not an existing file. Anything else is not ("").
func imageKind(spec string) string {
	sp, err := parseSpec(spec)
	if err != nil || sp.kind != KindFile {
		return ""
	}
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

// listImages lists the files of an image source of kind, in order.
func listImages(kind, spec string) ([]imageFile, error) {
	var files []imageFile
	var err error
	switch kind {
	case KindFolder:
		files, err = folderImages(spec)
	case KindGlob:
		files, err = globImages(spec)
	default:
		files, err = listedImages(spec)
	}
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("%s %q has no images", kind, spec)
	}
	return files, err
}

// folderImages are the files of dir with an image extension, by name;
// subfolders are not read.
func folderImages(dir string) ([]imageFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read folder %q: %w", dir, err)
	}
	var files []imageFile
	for _, e := range entries {
		if e.IsDir() || !slices.Contains(imageExts, strings.ToLower(filepath.Ext(e.Name()))) {
			continue
		}
		files = append(files, imageFile{path: filepath.Join(dir, e.Name()), name: e.Name()})
	}
	return files, nil
}

// globImages are the files (not folders) pattern matches, by path.
func globImages(pattern string) ([]imageFile, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	slices.Sort(paths)
	var files []imageFile
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			continue
		}
		files = append(files, imageFile{path: p, name: p})
	}
	return files, nil
}

// listedImages are the paths of a list file, one a line, in its order;
// blank lines and lines starting with # are skipped, and relative paths
// are relative to the list file's folder. A listed file need not exist:
// its frame fails on its own.
func listedImages(list string) ([]imageFile, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, fmt.Errorf("open list %q: %w", list, err)
	}
	defer f.Close()
	var files []imageFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := line
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(list), p)
		}
		files = append(files, imageFile{path: p, name: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read list %q: %w", list, err)
	}
	return files, nil
}
