package rootfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// ErrLeavesRoot: a path in a root is a link that leads outside it;
// nothing is written through it.
var ErrLeavesRoot = errors.New("link leads outside the output folder")

// ExplainLinks says which link a failed operation in root met when it
// failed because a link on its path leads outside root (os.Root refuses
// to follow it): the error then wraps ErrLeavesRoot. Other errors
// are returned as they are.
func ExplainLinks(root *os.Root, err error) error {
	if err == nil {
		return nil
	}
	for _, p := range failedPaths(err) {
		if link, target, ok := outsideLink(root, p); ok {
			return fmt.Errorf("%s in the output folder is a link to %s, which leads outside it; nothing is written through it: %w", link, target, ErrLeavesRoot)
		}
	}
	return err
}

// failedPaths are the paths an os error names.
func failedPaths(err error) []string {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &le):
		return []string{le.Old, le.New}
	case errors.As(err, &pe):
		return []string{pe.Path}
	}
	return nil
}

// outsideLink finds the first link on p (relative to root) that root
// cannot follow although it exists: a link that leaves root.
func outsideLink(root *os.Root, p string) (link, target string, ok bool) {
	parts := strings.Split(path.Clean(p), "/")
	for i := range parts {
		prefix := path.Join(parts[:i+1]...)
		fi, err := root.Lstat(prefix)
		if err != nil {
			return "", "", false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if _, err := root.Stat(prefix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			target, _ := root.Readlink(prefix)
			return prefix, target, true
		}
	}
	return "", "", false
}
