package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/framewire/framewire/stream"
)

// cocoIDs are COCO's category ids of its 80 detection labels, in the order
// of the labels' class ids (COCO skips some ids).
var cocoIDs = [80]int{
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
	22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
	46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
	67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
}

// cocoLabels are the 80 labels in class-id order, as NanoDet's built-in
// list and COCO's annotations name them.
var cocoLabels = [80]string{
	"person", "bicycle", "car", "motorbike", "aeroplane", "bus", "train", "truck", "boat", "traffic light",
	"fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
	"elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
	"skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
	"wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
	"broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "sofa", "pottedplant", "bed",
	"diningtable", "toilet", "tvmonitor", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
	"toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
}

// cocoCategory is COCO's category id of a detection: by class id when its
// label is the COCO label of that id, else class id + 1.
func cocoCategory(d stream.RecordBox) int {
	if d.ClassID >= 0 && int(d.ClassID) < len(cocoLabels) && cocoLabels[d.ClassID] == d.Label {
		return cocoIDs[d.ClassID]
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
func writeCOCO(w io.Writer, recs []stream.Record) error {
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
func writeCOCOResult(w io.Writer, sep string, seq int64, d stream.RecordBox) error {
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
