package yolo

import (
	"fmt"

	"github.com/framewire/framewire/server/detect/coco"
	"github.com/framewire/framewire/server/detect/family"
)

// pickLabels chooses the class names of a model with layout l: the labels
// file when one was given, else the "names" entry of the model's metadata
// md, else COCO's 80 labels when the model has 80 classes. There must be
// one name per class.
func pickLabels(p family.Params, md map[string]string, l layout) ([]string, error) {
	labels, from, err := p.Labels, p.LabelsName, error(nil)
	names, hasNames := md["names"]
	switch {
	case labels != nil:
	case hasNames:
		labels, err = parseNames(names)
		from = "the names in the model's metadata"
	case l.classes == len(coco.Labels()):
		labels, from = coco.Labels(), "the built-in COCO labels"
	default:
		return nil, fmt.Errorf("the model has %d classes and no names in its metadata: give a labels file", l.classes)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (give a labels file instead)", err)
	}
	if len(labels) != l.classes {
		return nil, fmt.Errorf("the %v output has %d classes but %s has %d: not a YOLO detection model, or the wrong labels", l, l.classes, from, len(labels))
	}
	return labels, nil
}
