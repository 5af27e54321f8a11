// Package yolo is the YOLO model family: Ultralytics ONNX exports of
// YOLOv5 (one output [1, N, 5+nc]: box, objectness, class scores) and
// YOLOv8 / YOLO11 detection heads (one output [1, 4+nc, N]: box, class
// scores), boxes as centre x, y, width, height in input pixels. Frames
// are letterboxed as Ultralytics does (aspect kept, centred, grey 114
// padding; RGB, /255, NCHW). Class names come from a labels file, else
// from the names the exporter wrote into the model's metadata, else COCO's
// 80 for an 80-class model.
package yolo

import (
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Kind is the family's name (--model yolo).
const Kind = "yolo"

// Family constants: the input side of an export that leaves it open
// (Ultralytics' default imgsz), the largest stride, and the thresholds
// (Ultralytics' default score threshold; YOLOv5's IoU threshold).
const (
	dynamicSize = 640
	maxStride   = 32
	defaultConf = 0.25
	defaultNMS  = 0.45
)

// Family is YOLO's row in package detect's table. No YOLO file is
// installed: --model-file is needed.
func Family() family.Family {
	return family.Family{
		Kind:   Kind,
		Input:  onnxnet.Shape{Family: "YOLO", DynamicSize: dynamicSize, MinSize: maxStride},
		Conf:   defaultConf,
		NMS:    defaultNMS,
		Labels: "the names in the model's metadata, else COCO's 80 for an 80-class model",
		New:    family.Constructor(New),
	}
}
