package blazeface

import (
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Kind is the family's name (--model blazeface).
const Kind = "blazeface"

// dynamicSize is the input side used when the file declares none.
const dynamicSize = 128

// Family is BlazeFace's row in package detect's table: the set-up installs
// the front-camera model (128x128).
func Family() family.Family {
	return family.Family{
		Kind:        Kind,
		DefaultFile: "/usr/local/share/framewire/models/blazeface/face_detection_front_128x128_barracuda.onnx",
		Input:       onnxnet.Shape{Family: "BlazeFace", NHWC: true, DynamicSize: dynamicSize, MinSize: blazeFaceCells0},
		Conf:        0.6,
		NMS:         0.3,
		Labels:      `one class, "face" (a labels file is not used)`,
		New:         family.Constructor(New),
	}
}
