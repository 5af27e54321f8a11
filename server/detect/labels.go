package detect

import (
	"fmt"
	"os"
	"strings"

	"github.com/framewire/framewire/server/detect/coco"
)

// loadLabels returns the labels in path, or the built-in COCO labels when
// path is "". Blank trailing lines are dropped.
func loadLabels(path string) ([]string, error) {
	if path == "" {
		return coco.Labels(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: cannot read labels file: %w", err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("detect: labels file %s has no labels", path)
	}
	return lines, nil
}
