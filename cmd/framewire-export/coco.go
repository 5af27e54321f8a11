package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/detect/coco"
)

// cocoCategory is COCO's category id of a detection: by class id when its
// label is the COCO label of that id, else class id + 1.
func cocoCategory(d record.Box) int {
	if id, ok := coco.CategoryID(int(d.ClassID), d.Label); ok {
		return id
	}
	return int(d.ClassID) + 1
}

// cocoResult is one entry of a COCO results file.
type cocoResult struct {
	ImageID    int64      `json:"image_id"`
	CategoryID int        `json:"category_id"`
	BBox       [4]float32 `json:"bbox"`
	Score      float32    `json:"score"`
	TrackID    int64      `json:"track_id,omitempty"`
}

// writeCOCO writes a COCO results JSON array, one entry per line.
func writeCOCO(w io.Writer, recs []record.Frame) error {
	sep := "["
	for _, r := range recs {
		for _, d := range r.Detections {
			if err := writeCOCOResult(w, sep, r.Seq, d); err != nil {
				return err
			}
			sep = ","
		}
	}
	return closeCOCO(w, sep == "[")
}

// writeCOCOResult writes detection d of image seq after sep.
func writeCOCOResult(w io.Writer, sep string, seq int64, d record.Box) error {
	b, err := json.Marshal(cocoResult{ImageID: seq, CategoryID: cocoCategory(d), BBox: d.Box, Score: d.Score, TrackID: d.TrackID})
	if err != nil {
		return fmt.Errorf("encode COCO result: %w", err)
	}
	fmt.Fprintf(w, "%s\n%s", sep, b)
	return nil
}

// closeCOCO ends the JSON array, an empty one when nothing was written.
func closeCOCO(w io.Writer, empty bool) error {
	if empty {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}
