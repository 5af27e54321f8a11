package folder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
)

// readManifest reads the manifest of root's dir; found is false when
// there is none.
func readManifest(root *os.Root, dir string) (m record.Run, found bool, err error) {
	b, err := root.ReadFile(path.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read run manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("read run manifest %s: %w", path.Join(dir, ManifestFile), err)
	}
	return m, true, nil
}

// writeManifest stores m in root's dir, atomically.
func writeManifest(root *os.Root, dir string, m record.Run) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run manifest: %w", err)
	}
	if err := rootfile.WriteAtomic(root, dir, ManifestFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write run manifest: %w", err)
	}
	return nil
}

// RecordSourceEnd keeps in the run's manifest that its source ended
// before the frames it declared, replacing an earlier report.
func (o *output) RecordSourceEnd(end record.SourceEnd) error {
	m, found, err := readManifest(o.root, o.name)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("record the source's early end: no run manifest in %s", o.name)
	}
	m.SourceEnd = &end
	return writeManifest(o.root, o.name, m)
}
