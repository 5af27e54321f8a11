package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/framewire/framewire/proto/record"
)

// writeYOLO writes one <frame>.txt per frame that has an image (named as
// the image), a "class cx cy w h" line per detection, normalised by the
// frame's size, and classes.txt with the labels by class id.
func writeYOLO(ctx context.Context, dir string, recs []record.Frame) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("create label folder: %w", err)
	}
	labels := map[int32]string{}
	for _, r := range recs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := writeLabels(dir, r, labels); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "classes.txt"), classList(labels), 0o666)
}

// writeLabels writes the label file of r's image, if it has one, and notes
// the labels of its classes in labels.
func writeLabels(dir string, r record.Frame, labels map[int32]string) error {
	if r.Image == "" || r.Width <= 0 || r.Height <= 0 {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, strings.TrimSuffix(r.Image, ".jpg")+".txt"), yoloLines(r, labels), 0o666); err != nil {
		return fmt.Errorf("write YOLO labels: %w", err)
	}
	return nil
}

// yoloLines are r's detections as YOLO label lines; it notes each label.
func yoloLines(r record.Frame, labels map[int32]string) []byte {
	var b strings.Builder
	w, h := float32(r.Width), float32(r.Height)
	for _, d := range r.Detections {
		labels[d.ClassID] = d.Label
		x, y, bw, bh := d.Box[0], d.Box[1], d.Box[2], d.Box[3]
		fmt.Fprintf(&b, "%d %.6f %.6f %.6f %.6f\n", d.ClassID, (x+bw/2)/w, (y+bh/2)/h, bw/w, bh/h)
	}
	return []byte(b.String())
}

// classList is one label per line by class id, up to the highest seen
// (ids never seen get their number as a name).
func classList(labels map[int32]string) []byte {
	var top int32 = -1
	for id := range labels {
		top = max(top, id)
	}
	var b strings.Builder
	for id := int32(0); id <= top; id++ {
		b.WriteString(className(labels, id) + "\n")
	}
	return []byte(b.String())
}

// className is the label of class id, or its number when none was seen.
func className(labels map[int32]string, id int32) string {
	if name, ok := labels[id]; ok {
		return name
	}
	return fmt.Sprint(id)
}
