package nanodet

import (
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Kind is the family's name (--model nanodet).
const Kind = "nanodet"

// Family is NanoDet's row in package detect's table: the set-up installs
// the project's models/nanodet/nanodet-m-320.onnx.
func Family() family.Family {
	return family.Family{
		Kind:        Kind,
		DefaultFile: "/usr/local/share/framewire/models/nanodet/nanodet-m-320.onnx",
		Input:       onnxnet.Shape{Family: "NanoDet", DynamicSize: dynamicSize, MinSize: maxStride},
		Conf:        0.4,
		NMS:         0.5,
		Labels:      "the built-in COCO 80 labels",
		New:         family.Constructor(New),
	}
}
