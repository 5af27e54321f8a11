// Package coco holds the COCO dataset's 80 detection labels, in class-id
// order as COCO-trained detectors (NanoDet) number them, and COCO's own
// category ids for them. It does not use OpenCV.
package coco

import (
	_ "embed"
	"slices"
	"strings"
)

// names holds the labels, one a line, class id = line index.
//
//go:embed coco.names
var names string

// labels are names split, read-only.
var labels = strings.Split(strings.TrimSpace(strings.ReplaceAll(names, "\r\n", "\n")), "\n")

// Labels returns the 80 labels in class-id order (a new slice).
func Labels() []string { return slices.Clone(labels) }

// categoryIDs are COCO's category ids of the labels, in class-id order
// (COCO skips some ids).
var categoryIDs = [80]int{
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
	22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
	46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
	67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
}

// CategoryID is COCO's category id of a detection of class id classID
// labelled label; false unless label is COCO's label of that class id (a
// detector with other classes).
func CategoryID(classID int, label string) (int, bool) {
	if classID < 0 || classID >= len(categoryIDs) || labels[classID] != label {
		return 0, false
	}
	return categoryIDs[classID], true
}
