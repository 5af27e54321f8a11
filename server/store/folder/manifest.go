package folder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/server/core"
)

// manifestFile describes the run whose output a stream folder holds.
const manifestFile = "run.json"

// readManifest reads dir's manifest; found is false when there is none.
func readManifest(dir string) (m core.Run, found bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read run manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("read run manifest %s: %w", filepath.Join(dir, manifestFile), err)
	}
	return m, true, nil
}

// writeManifest stores m in dir, atomically.
func writeManifest(dir string, m core.Run) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run manifest: %w", err)
	}
	if err := writeFileAtomic(dir, manifestFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write run manifest: %w", err)
	}
	return nil
}
