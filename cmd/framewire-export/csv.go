package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/framewire/framewire/proto/record"
)

var csvHeader = []string{"seq", "image", "source", "position_us", "label", "class_id", "score", "x", "y", "width", "height", "track_id"}

// writeCSV writes a header and one row per detection.
func writeCSV(w io.Writer, recs []record.Frame) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, r := range recs {
		writeCSVRows(cw, r)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// writeCSVRows writes a row per detection of r.
func writeCSVRows(cw *csv.Writer, r record.Frame) {
	pos := ""
	if r.PositionUs != nil {
		pos = strconv.FormatInt(*r.PositionUs, 10)
	}
	for _, d := range r.Detections {
		cw.Write([]string{
			strconv.FormatInt(r.Seq, 10), r.Image, r.File, pos, d.Label,
			strconv.Itoa(int(d.ClassID)), num(d.Score, 4),
			num(d.Box[0], 2), num(d.Box[1], 2), num(d.Box[2], 2), num(d.Box[3], 2),
			strconv.FormatInt(d.TrackID, 10),
		})
	}
}

func num(v float32, decimals int) string {
	return strconv.FormatFloat(float64(v), 'f', decimals, 32)
}
