// Package imagefiles finds the photos of an image source (the images of a
// folder, the files a glob matches, the paths a .txt list holds) and reads
// JPEG and PNG headers without decoding the pixels. It does not use OpenCV.
package imagefiles

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG headers
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/framewire/framewire/internal/exif"
	"github.com/framewire/framewire/internal/pathtext"
	framewirepb "github.com/framewire/framewire/proto"
)

// exts are the file name extensions a folder's images have.
var exts = []string{".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".jp2", ".pbm", ".pgm", ".ppm", ".pnm", ".sr", ".ras", ".exr", ".hdr", ".pic"}

// File is one photo of an image source: where to read it, and the name its
// frame carries. Name is valid UTF-8 whatever bytes the file system or
// the list gave (pathtext.Text: bad\xffname.jpg), as the wire and JSON
// need.
type File struct {
	Path, Name string
}

// InFolder lists the files of dir with an image extension, by name;
// subfolders are not read.
func InFolder(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read folder %q: %w", dir, err)
	}
	var files []File
	for _, e := range entries {
		if e.IsDir() || !slices.Contains(exts, strings.ToLower(filepath.Ext(e.Name()))) {
			continue
		}
		files = append(files, File{Path: filepath.Join(dir, e.Name()), Name: pathtext.Text(e.Name())})
	}
	return files, nil
}

// Glob lists the files (not folders) pattern matches, by path.
func Glob(pattern string) ([]File, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	slices.Sort(paths)
	var files []File
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			continue
		}
		files = append(files, File{Path: p, Name: pathtext.Text(p)})
	}
	return files, nil
}

// Listed reads the paths of a list file, one a line, in its order;
// blank lines and lines starting with # are skipped, and relative paths
// are relative to the list file's folder. A listed file need not exist:
// its frame fails on its own.
func Listed(list string) ([]File, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, fmt.Errorf("open list %q: %w", list, err)
	}
	defer f.Close()
	var files []File
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f, ok := listedFile(list, sc.Text()); ok {
			files = append(files, f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read list %q: %w", list, err)
	}
	return files, nil
}

// listedFile is the file one line of list names; ok is false for a blank
// line or a comment (#).
func listedFile(list, line string) (f File, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return File{}, false
	}
	p := line
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(list), p)
	}
	return File{Path: p, Name: pathtext.Text(line)}, true
}

// AsFrame is data as a frame of its own encoding, when it is a JPEG or PNG
// whose header reads. Its width and height are the photo's upright, as the
// server turns it by its EXIF orientation.
func AsFrame(data []byte) (*framewirepb.Frame, bool) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	enc := framewirepb.Encoding_ENCODING_JPEG
	switch format {
	case "jpeg":
	case "png":
		enc = framewirepb.Encoding_ENCODING_PNG
	default:
		return nil, false
	}
	w, h := exif.UprightSize(cfg.Width, cfg.Height, exif.Orientation(data))
	return &framewirepb.Frame{Encoding: enc, Data: data, Width: int32(w), Height: int32(h)}, true
}

// HeaderSize reads the size of a JPEG or PNG from its header (and its
// EXIF orientation, from the first 128 KiB: the photo's size upright).
func HeaderSize(path string) (w, h int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, headBytes))
	if err != nil {
		return 0, 0, false
	}
	cfg, _, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head), f))
	if err != nil {
		return 0, 0, false
	}
	w, h = exif.UprightSize(cfg.Width, cfg.Height, exif.Orientation(head))
	return w, h, true
}

// headBytes is how much of a file HeaderSize looks for EXIF data in: an
// APP1 segment is at most 64 KiB, after at most a few small ones.
const headBytes = 128 << 10
