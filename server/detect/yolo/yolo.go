package yolo

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/blob"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/nms"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Pre- and post-processing constants, as Ultralytics': the grey of the
// letterbox padding, the pixel scale, and the most detections a frame
// keeps after NMS.
const (
	padValue = 114
	pixScale = 1.0 / 255
	maxDet   = 300
)

// Detector runs an Ultralytics YOLO detection export on letterboxed
// frames. It decodes the net's first output (any others, such as the raw
// grids of some YOLOv5 exports, are ignored). It owns its net and scratch
// Mats; Close frees them. Not safe for concurrent use.
type Detector struct {
	onnxnet.Net
	size   int // input side S
	labels []string
	conf   float32
	nmsThr float32
	layout layout

	lb    blob.Letterbox // of the last preprocessed frame
	cands []nms.Candidate
	best  []float32 // YOLOv8: per candidate, its best class score so far
	bestC []int     // and that class
}

// New loads p's model into p's engine, checks its input against p.Input,
// learns the output layout and class count from a warm-up forward and
// picks the labels (see Family).
func New(p family.Params) (*Detector, error) {
	md, err := onnxnet.Metadata(p.Model)
	if err != nil {
		return nil, err
	}
	in, size, err := onnxnet.New(Kind, p.Model, p.Input, p.Engine)
	if err != nil {
		return nil, err
	}
	d := &Detector{size: size, conf: p.Conf, nmsThr: p.NMS, Net: in}
	mapOutputs := func(outs onnxnet.Outputs) error { return d.mapOutputs(outs, p, md) }
	if err := d.WarmUp(size, d.preprocess, mapOutputs, d.postprocess); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// mapOutputs learns the layout of the first output and picks labels for
// its class count.
func (d *Detector) mapOutputs(outs onnxnet.Outputs, p family.Params, md map[string]string) error {
	if len(outs) == 0 {
		return fmt.Errorf("the net has no outputs")
	}
	l, err := parseLayout(outs[0].Dims, d.size)
	if err != nil {
		return fmt.Errorf("not a YOLO detection model with input %dx%d: %w", d.size, d.size, err)
	}
	d.layout = l
	if !l.v5 {
		d.best, d.bestC = make([]float32, l.anchors), make([]int, l.anchors)
	}
	d.labels, err = pickLabels(p, md, l)
	return err
}

// Detect finds objects in img (8-bit BGR, any size); boxes are in img's pixels.
func (d *Detector) Detect(img gocv.Mat) ([]core.Detection, error) {
	return d.Run(img, d.preprocess, d.postprocess)
}

// Prepare letterboxes img into the input (Stager).
func (d *Detector) Prepare(img gocv.Mat) error {
	return d.Fill(img, d.preprocess)
}

// Labels are the class names, in class-id order.
func (d *Detector) Labels() []string { return d.labels }

// preprocess letterboxes img into the S x S input as Ultralytics does
// (aspect kept, centred, grey padding) and writes it as RGB planes
// scaled to [0,1].
func (d *Detector) preprocess(img gocv.Mat) error {
	d.lb = blob.NewLetterbox(img.Cols(), img.Rows(), d.size)
	px, err := d.Resize(img, d.lb.W, d.lb.H)
	if err != nil {
		return err
	}
	s, lb := d.size, d.lb
	if len(d.Blob) != 3*s*s {
		return fmt.Errorf("the input holds %d values, want %d", len(d.Blob), 3*s*s)
	}
	blob.Fill(d.Blob, padValue*pixScale)
	plane := s * s
	r, g, b := d.Blob[:plane], d.Blob[plane:2*plane], d.Blob[2*plane:]
	for y := range lb.H {
		o := (y+lb.PadY)*s + lb.PadX
		blob.PlanarRGBRow(r[o:o+lb.W], g[o:o+lb.W], b[o:o+lb.W], px[3*lb.W*y:3*lb.W*(y+1)], pixScale)
	}
	return nil
}

// postprocess decodes the first output into detections for a frameW x
// frameH frame letterboxed by the last preprocess: threshold, box decode,
// per-class NMS, map back through the letterbox, clip, at most maxDet.
// The returned slice is new and owned by the caller (nil when empty).
func (d *Detector) postprocess(outs onnxnet.Outputs, frameW, frameH int) ([]core.Detection, error) {
	l := d.layout
	if len(outs) == 0 || len(outs[0].Data) != l.anchors*(l.classes+4+boolInt(l.v5)) {
		return nil, fmt.Errorf("the output changed shape from %v", l)
	}
	fm := nms.NewFrameMap(frameW, frameH, d.lb.W, d.lb.H, d.lb.PadX, d.lb.PadY)
	if l.v5 {
		d.cands = d.decodeV5(d.cands[:0], outs[0].Data, fm)
	} else {
		d.cands = d.decodeV8(d.cands[:0], outs[0].Data, fm)
	}
	dets := family.ToDetections(d.cands, d.nmsThr, d.labels)
	return dets[:min(len(dets), maxDet)], nil
}

// boolInt is 1 for true, 0 for false.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// decodeV5 appends to cands the rows of out ([N, 5+nc]: cx, cy, w, h,
// objectness, class scores) whose objectness times best class score
// reaches the threshold.
func (d *Detector) decodeV5(cands []nms.Candidate, out []float32, fm nms.FrameMap) []nms.Candidate {
	cols := 5 + d.layout.classes
	for a := range d.layout.anchors {
		row := out[a*cols : (a+1)*cols]
		if row[4] < d.conf {
			continue
		}
		best, score := family.BestClass(row[5:])
		cands = d.add(cands, fm, row[0], row[1], row[2], row[3], score*row[4], best)
	}
	return cands
}

// decodeV8 appends to cands the candidates of out ([4+nc, N]: rows cx,
// cy, w, h, then one row of scores per class) whose best class score
// reaches the threshold. The class rows are scanned one after the other.
func (d *Detector) decodeV8(cands []nms.Candidate, out []float32, fm nms.FrameMap) []nms.Candidate {
	n := d.layout.anchors
	copy(d.best, out[4*n:5*n])
	clear(d.bestC)
	for c := 1; c < d.layout.classes; c++ {
		for a, v := range out[(4+c)*n : (5+c)*n] {
			if v > d.best[a] {
				d.best[a], d.bestC[a] = v, c
			}
		}
	}
	for a, score := range d.best {
		cands = d.add(cands, fm, out[a], out[n+a], out[2*n+a], out[3*n+a], score, d.bestC[a])
	}
	return cands
}

// add appends the box of centre cx, cy and size w, h in input pixels to
// cands, mapped by fm, if score reaches the threshold and some of it is in
// the frame.
func (d *Detector) add(cands []nms.Candidate, fm nms.FrameMap, cx, cy, w, h, score float32, class int) []nms.Candidate {
	if score < d.conf {
		return cands
	}
	if c, ok := fm.Candidate(cx-w/2, cy-h/2, cx+w/2, cy+h/2, score, class); ok {
		cands = append(cands, c)
	}
	return cands
}
