package yolo

import (
	"fmt"

	"github.com/framewire/framewire/server/detect/onnxnet"
)

// layout is how a YOLO output holds its N candidates of nc classes.
type layout struct {
	v5      bool // [N, 5+nc], objectness after the box; else [4+nc, N]
	anchors int  // N
	classes int  // nc
}

// String names the layout in messages.
func (l layout) String() string {
	if l.v5 {
		return fmt.Sprintf("YOLOv5 [1,%d,%d]", l.anchors, 5+l.classes)
	}
	return fmt.Sprintf("YOLOv8 [1,%d,%d]", 4+l.classes, l.anchors)
}

// cells is the number of grid cells of strides 8, 16 and 32 over an
// S x S input: YOLOv8's N, a third of YOLOv5's.
func cells(size int) int {
	n := 0
	for _, s := range []int{8, 16, 32} {
		g := (size + s - 1) / s
		n += g * g
	}
	return n
}

// parseLayout reads the layout of an output of shape dims from a net of
// input side size. A matrix [R, C] (leading 1s allowed) is YOLOv8's when C
// is the cell count of strides 8, 16, 32 and YOLOv5's when R is three times
// it; other heads (more strides, other grids) are told apart by which side
// is longer, the candidates outnumbering the channels: R < C is YOLOv8's,
// R > C YOLOv5's. A square matrix is refused as ambiguous.
func parseLayout(dims []int, size int) (layout, error) {
	r, c, ok := onnxnet.MatrixShape(dims)
	n := cells(size)
	switch {
	case !ok:
		return layout{}, fmt.Errorf("output shape %v is not [1, rows, cols]", dims)
	case c == n && r > 4:
		return layout{anchors: c, classes: r - 4}, nil
	case r == 3*n && c > 5:
		return layout{v5: true, anchors: r, classes: c - 5}, nil
	case r < c && r > 4:
		return layout{anchors: c, classes: r - 4}, nil
	case r > c && c > 5:
		return layout{v5: true, anchors: r, classes: c - 5}, nil
	}
	return layout{}, fmt.Errorf("output shape %v fits neither YOLOv8's [1, 4+classes, N] nor YOLOv5's [1, N, 5+classes] with N > 4+classes", dims)
}
