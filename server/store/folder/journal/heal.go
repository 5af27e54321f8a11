package journal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strconv"
	"time"

	"github.com/framewire/framewire/internal/rootfile"
)

// maxLogged bounds the line numbers a heal names in its log line.
const maxLogged = 10

// heal sets f's damaged lines aside in a file of their own beside it
// (predictions.damaged-<time>.jsonl) and replaces f by a copy of its
// other complete lines: each written and synced before the rename, so a
// crash while healing loses nothing. It returns the healed file, open
// for appending; f is left open.
func heal(root *os.Root, dir string, f *os.File, sc scanned, log *slog.Logger) (*os.File, error) {
	aside, err := setAside(root, dir, f, sc.bad)
	if err != nil {
		return nil, fmt.Errorf("set damaged lines aside: %w", err)
	}
	if err := replaceWithout(root, dir, f, sc); err != nil {
		return nil, fmt.Errorf("rewrite without the damaged lines: %w", err)
	}
	healed, err := root.OpenFile(path.Join(dir, FileName), os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	log.Warn("damaged lines of predictions.jsonl set aside; their frames are not done and will be processed again",
		"stream", dir, "lines", lineNumbers(sc.bad), "kept_in", path.Join(dir, aside))
	return healed, nil
}

// setAside copies the spans bad of f into a new file in root's dir and
// returns its name.
func setAside(root *os.Root, dir string, f *os.File, bad []span) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		name := "predictions.damaged-" + stamp + ".jsonl"
		if i > 1 {
			name = fmt.Sprintf("predictions.damaged-%s-%d.jsonl", stamp, i)
		}
		out, err := root.OpenFile(path.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, rootfile.FileMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, closeSynced(out, copySpans(out, f, bad))
	}
}

// replaceWithout replaces dir's predictions file by a copy of f's
// complete lines less the damaged ones, through a synced temporary file.
func replaceWithout(root *os.Root, dir string, f *os.File, sc scanned) error {
	tmp, err := rootfile.CreateTemp(root, dir)
	if err != nil {
		return err
	}
	tmpName := path.Join(dir, path.Base(tmp.Name()))
	err = closeSynced(tmp, copySpans(tmp, f, kept(sc)))
	if err == nil {
		err = root.Rename(tmpName, path.Join(dir, FileName))
	}
	if err != nil {
		root.Remove(tmpName)
		return err
	}
	return rootfile.SyncDir(root, dir)
}

// kept are the spans of the complete lines around the damaged ones.
func kept(sc scanned) []span {
	var out []span
	var at int64
	for _, b := range sc.bad {
		out = append(out, span{off: at, n: b.off - at})
		at = b.off + b.n
	}
	return append(out, span{off: at, n: sc.end - at})
}

// copySpans copies the spans of f to w.
func copySpans(w io.Writer, f io.ReaderAt, spans []span) error {
	for _, s := range spans {
		if _, err := io.Copy(w, io.NewSectionReader(f, s.off, s.n)); err != nil {
			return err
		}
	}
	return nil
}

// closeSynced syncs and closes f after err, the error of writing it.
func closeSynced(f *os.File, err error) error {
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// lineNumbers names the damaged lines, the first maxLogged of them.
func lineNumbers(bad []span) string {
	var s []byte
	for i, b := range bad[:min(len(bad), maxLogged)] {
		if i > 0 {
			s = append(s, ", "...)
		}
		s = strconv.AppendInt(s, b.line, 10)
	}
	if len(bad) > maxLogged {
		s = fmt.Appendf(s, " and %d more", len(bad)-maxLogged)
	}
	return string(s)
}
