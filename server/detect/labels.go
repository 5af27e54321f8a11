package detect

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
)

// cocoNames holds the 80 COCO class labels, one a line, class id = line index.
//
//go:embed coco.names
var cocoNames string

// loadLabels returns the labels in path, or the built-in COCO labels when
// path is "". Blank trailing lines are dropped.
func loadLabels(path string) ([]string, error) {
	text := cocoNames
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("detect: cannot read labels file: %w", err)
		}
		text = string(b)
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
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
