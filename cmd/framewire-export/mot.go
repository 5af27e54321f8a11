package main

import (
	"fmt"
	"io"

	"github.com/framewire/framewire/proto/record"
)

// writeMOT writes MOTChallenge det.txt lines: 1-based frame, track id (-1
// when not tracked), box, confidence, and -1 for the 3-D coordinates.
func writeMOT(w io.Writer, recs []record.Frame) error {
	for _, r := range recs {
		for _, d := range r.Detections {
			if err := writeMOTLine(w, r.Seq, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeMOTLine writes detection d of frame seq; an untracked detection has
// id -1.
func writeMOTLine(w io.Writer, seq int64, d record.Box) error {
	id := d.TrackID
	if id == 0 {
		id = -1
	}
	if _, err := fmt.Fprintf(w, "%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1\n",
		seq+1, id, d.Box[0], d.Box[1], d.Box[2], d.Box[3], d.Score); err != nil {
		return fmt.Errorf("write MOT line: %w", err)
	}
	return nil
}
