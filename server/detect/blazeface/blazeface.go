// Package blazeface is the BlazeFace model family: MediaPipe BlazeFace
// ONNX exports (NHWC RGB input in [-1,1], scores and box regressors for
// 896 anchors), one class, "face".
package blazeface

import (
	"fmt"
	"math"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/blob"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/nms"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// BlazeFace constants: two anchor sets (16x16 cells x 2, then 8x8 cells x 6),
// 16 regressor values per anchor (box, then 6 keypoints), one class.
const (
	blazeFaceCells0, blazeFacePer0 = 16, 2
	blazeFaceCells1, blazeFacePer1 = 8, 6
	blazeFaceAnchors0              = blazeFaceCells0 * blazeFaceCells0 * blazeFacePer0 // 512
	blazeFaceAnchors1              = blazeFaceCells1 * blazeFaceCells1 * blazeFacePer1 // 384
	blazeFaceRegCols               = 16
	blazeFaceOutputs               = 4
	blazeFaceLabel                 = "face"
)

// Detector runs a MediaPipe BlazeFace ONNX model (NHWC RGB input in [-1,1];
// score logits and box regressors for 896 anchors) on a letterboxed frame.
// It owns its net and scratch Mats; Close frees them. Not safe for
// concurrent use.
type Detector struct {
	onnxnet.Net
	labels    []string // just "face"
	size      int      // input side S
	conf      float32
	confLogit float32 // logit of conf: cheaper rejection before the sigmoid
	nmsThr    float32
	scoreOut  [2]int      // output index of the scores of anchor sets 0 and 1
	regOut    [2]int      // output index of the regressors of anchor sets 0 and 1
	anchors   [][]float32 // per set, anchor centres x,y in 0..1

	cands []nms.Candidate

	lb blob.Letterbox // of the last preprocessed frame
}

// New loads p's model into p's engine, checks its input and output shapes
// against p.Input, and runs one warm-up forward. Labels files do not apply:
// the one class is "face".
func New(p family.Params) (*Detector, error) {
	in, size, err := onnxnet.New(Kind, p.Model, p.Input, p.Engine)
	if err != nil {
		return nil, err
	}
	d := &Detector{
		labels:    []string{blazeFaceLabel},
		size:      size,
		conf:      p.Conf,
		confLogit: float32(math.Log(float64(p.Conf) / (1 - float64(p.Conf)))),
		nmsThr:    p.NMS,
		anchors: [][]float32{
			blazeFaceAnchorCentres(blazeFaceCells0, blazeFacePer0),
			blazeFaceAnchorCentres(blazeFaceCells1, blazeFacePer1),
		},
		Net: in,
	}
	if err := d.init(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// blazeFaceAnchorCentres lists the centres (x, y in 0..1), row-major over a
// cells x cells grid, of per anchors in each cell.
func blazeFaceAnchorCentres(cells, per int) []float32 {
	a := make([]float32, 0, 2*cells*cells*per)
	for y := range cells {
		for x := range cells {
			for range per {
				a = append(a, (float32(x)+0.5)/float32(cells), (float32(y)+0.5)/float32(cells))
			}
		}
	}
	return a
}

// init maps the outputs from a warm-up forward on a blank frame.
func (d *Detector) init() error {
	if d.Engine().NumOutputs() != blazeFaceOutputs {
		return fmt.Errorf("the net has %d outputs, want %d (scores and regressors for 512 and 384 anchors): not a BlazeFace model",
			d.Engine().NumOutputs(), blazeFaceOutputs)
	}
	return d.WarmUp(d.size, d.preprocess, d.mapOutputs, d.postprocess)
}

// mapOutputs finds, by shape alone, the (512,1) and (384,1) score tensors
// and the (512,16) and (384,16) regressors.
func (d *Detector) mapOutputs(outs onnxnet.Outputs) error {
	d.scoreOut, d.regOut = [2]int{-1, -1}, [2]int{-1, -1}
	for i, t := range outs {
		if !d.mapOutput(i, t.Dims) {
			return fmt.Errorf("output shapes %v do not fit a BlazeFace model (want [1,512,1], [1,384,1], [1,512,16], [1,384,16])", onnxnet.Shapes(outs))
		}
	}
	return nil
}

// mapOutput takes output i of shape dims as the scores or the regressors
// of an anchor set still without them; false when it is neither.
func (d *Detector) mapOutput(i int, dims []int) bool {
	set, cols := anchorSet(dims)
	switch {
	case set >= 0 && cols == 1 && d.scoreOut[set] < 0:
		d.scoreOut[set] = i
	case set >= 0 && cols == blazeFaceRegCols && d.regOut[set] < 0:
		d.regOut[set] = i
	default:
		return false
	}
	return true
}

// anchorSet is the anchor set whose rows a matrix of shape dims has (-1
// for none) and its column count.
func anchorSet(dims []int) (set, cols int) {
	rows, cols, ok := onnxnet.MatrixShape(dims)
	switch {
	case ok && rows == blazeFaceAnchors0:
		return 0, cols
	case ok && rows == blazeFaceAnchors1:
		return 1, cols
	}
	return -1, cols
}

// Detect finds faces in img (8-bit BGR, any size); boxes are in img's pixels.
func (d *Detector) Detect(img gocv.Mat) ([]core.Detection, error) {
	return d.Run(img, d.preprocess, d.postprocess)
}

// preprocess letterboxes img into the S x S input (aspect kept, centred,
// black padding) and writes it as NHWC RGB scaled to [-1,1].
func (d *Detector) preprocess(img gocv.Mat) error {
	d.lb = blob.NewLetterbox(img.Cols(), img.Rows(), d.size)
	px, err := d.Resize(img, d.lb.W, d.lb.H)
	if err != nil {
		return err
	}
	s := d.size
	if len(d.Blob) != 3*s*s {
		return fmt.Errorf("the input holds %d values, want %d", len(d.Blob), 3*s*s)
	}
	for y := range s {
		d.fillRow(d.Blob[3*s*y:3*s*(y+1)], y, px)
	}
	return nil
}

// fillRow writes input row y: padding, or the resized frame's row in px
// between padding.
func (d *Detector) fillRow(row []float32, y int, px []uint8) {
	lb := d.lb
	sy := y - lb.PadY
	if sy < 0 || sy >= lb.H {
		blob.Pad(row)
		return
	}
	blob.Pad(row[:3*lb.PadX])
	blob.Pad(row[3*(lb.PadX+lb.W):])
	blob.UnitRGB(row[3*lb.PadX:3*(lb.PadX+lb.W)], px[3*lb.W*sy:3*lb.W*(sy+1)])
}

// postprocess decodes outs into face detections for a frameW x frameH frame
// letterboxed by the last preprocess: sigmoid, threshold, anchor decode, NMS,
// map back through the letterbox, clip. The returned slice is new and owned
// by the caller (nil when empty).
func (d *Detector) postprocess(outs onnxnet.Outputs, frameW, frameH int) ([]core.Detection, error) {
	if len(outs) != blazeFaceOutputs {
		return nil, fmt.Errorf("got %d outputs, want %d", len(outs), blazeFaceOutputs)
	}
	fm := nms.NewFrameMap(frameW, frameH, d.lb.W, d.lb.H, d.lb.PadX, d.lb.PadY)
	return family.Decode(&d.cands, []int{0, 1}, func(c []nms.Candidate, set int) ([]nms.Candidate, error) {
		return d.decodeSet(c, outs, set, fm)
	}, d.nmsThr, d.labels)
}

// decodeSet appends to cands the faces of anchor set that score at least
// the threshold, mapped to the frame by fm.
func (d *Detector) decodeSet(cands []nms.Candidate, outs onnxnet.Outputs, set int, fm nms.FrameMap) ([]nms.Candidate, error) {
	anchors := d.anchors[set]
	n := len(anchors) / 2
	scores, regs := outs[d.scoreOut[set]].Data, outs[d.regOut[set]].Data
	if len(scores) != n || len(regs) != n*blazeFaceRegCols {
		return nil, fmt.Errorf("anchor set %d outputs changed shape", set)
	}
	for a := range n {
		score, ok := d.score(scores[a])
		if !ok {
			continue
		}
		x1, y1, x2, y2 := d.anchorBox(anchors[2*a:2*a+2], regs[a*blazeFaceRegCols:a*blazeFaceRegCols+4])
		if c, ok := fm.Candidate(x1, y1, x2, y2, score, 0); ok {
			cands = append(cands, c)
		}
	}
	return cands, nil
}

// score is the sigmoid of logit, and whether it reaches the threshold.
func (d *Detector) score(logit float32) (float32, bool) {
	if logit < d.confLogit {
		return 0, false
	}
	score := float32(1 / (1 + math.Exp(-float64(min(max(logit, -80), 80)))))
	return score, score >= d.conf
}

// anchorBox decodes the regressors r (centre offset and size) of the
// anchor centred at anchor (x, y in 0..1) into a box in input pixels.
func (d *Detector) anchorBox(anchor, r []float32) (x1, y1, x2, y2 float32) {
	s := float32(d.size)
	// Centre and size in input pixels of the S x S square.
	cx := anchor[0]*s + r[0]
	cy := anchor[1]*s + r[1]
	hw, hh := r[2]/2, r[3]/2
	return cx - hw, cy - hh, cx + hw, cy + hh
}

// Prepare letterboxes img into the input blob (Stager).
func (d *Detector) Prepare(img gocv.Mat) error {
	return d.Fill(img, d.preprocess)
}

// Labels are the class names: just "face".
func (d *Detector) Labels() []string { return d.labels }
