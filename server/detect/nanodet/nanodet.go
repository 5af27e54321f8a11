// Package nanodet is the NanoDet model family: NanoDet-m style ONNX
// exports (six outputs: class scores and box distributions for strides 8,
// 16 and 32), any input size, COCO's 80 labels built in.
package nanodet

import (
	"fmt"
	"math"
	"slices"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/blob"
	"github.com/framewire/framewire/server/detect/coco"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/nms"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// NanoDet constants: pre-processing in B, G, R order, and the box
// distribution layout (4 sides x nanodetBins bins).
const (
	nanodetMeanB, nanodetMeanG, nanodetMeanR = 103.53, 116.28, 123.675
	nanodetStdB, nanodetStdG, nanodetStdR    = 57.375, 57.12, 58.395
	nanodetBins                              = 8
	nanodetRegCols                           = 4 * nanodetBins
	nanodetOutputs                           = 6
	dynamicSize                              = 320 // input size used when the file declares none
	maxStride                                = 32
)

// nanodetMean and nanodetScale normalise the input: (v - mean) * scale,
// per channel in B, G, R order.
var (
	nanodetMean  = [3]float32{nanodetMeanB, nanodetMeanG, nanodetMeanR}
	nanodetScale = [3]float32{1 / nanodetStdB, 1 / nanodetStdG, 1 / nanodetStdR}
)

// nanodetLevel locates one stride's pair of outputs.
type nanodetLevel struct {
	stride int
	grid   int // cells per side
	cls    int // index of the (N, classes) score output
	reg    int // index of the (N, 32) box distribution output
}

// Detector runs a NanoDet-style ONNX model (six outputs: class scores and
// box distributions for strides 8, 16, 32). It owns its net and scratch
// Mats; Close frees them. Not safe for concurrent use.
type Detector struct {
	onnxnet.Net
	size    int // input side S
	classes int
	labels  []string
	conf    float32
	nmsThr  float32
	levels  [3]nanodetLevel

	cands []nms.Candidate
}

// New loads p's model into p's engine, checks its input and output shapes
// against p.Input and the labels (p.Labels, else COCO's 80), and runs one
// warm-up forward.
func New(p family.Params) (*Detector, error) {
	labels, labelsName := p.Labels, p.LabelsName
	if labels == nil {
		labels, labelsName = coco.Labels(), "the built-in COCO labels"
	}
	in, size, err := onnxnet.New(Kind, p.Model, p.Input, p.Engine)
	if err != nil {
		return nil, err
	}
	d := &Detector{size: size, labels: labels, conf: p.Conf, nmsThr: p.NMS, Net: in}
	if err := d.init(labelsName); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// init maps the outputs from a warm-up forward on a blank frame.
func (d *Detector) init(labelsName string) error {
	if d.Engine().NumOutputs() != nanodetOutputs {
		return fmt.Errorf("the net has %d outputs, want %d (a score and a box tensor per stride 8, 16, 32): not a NanoDet model",
			d.Engine().NumOutputs(), nanodetOutputs)
	}
	mapOutputs := func(outs onnxnet.Outputs) error {
		if err := d.mapOutputs(outs); err != nil {
			return err
		}
		if len(d.labels) != d.classes {
			return fmt.Errorf("the model has %d classes but %s has %d labels", d.classes, labelsName, len(d.labels))
		}
		return nil
	}
	return d.WarmUp(d.size, d.preprocess, mapOutputs, d.postprocess)
}

// mapOutputs pairs the six outputs by shape: per stride s there must be two
// (N, x) tensors with N = ceil(S/s)^2, one (N, 32) box distribution and one
// (N, classes) score tensor. Names and order are ignored.
func (d *Detector) mapOutputs(outs onnxnet.Outputs) error {
	if why := d.mapLevels(outs); why != "" {
		return fmt.Errorf("output shapes %v do not fit a NanoDet model with input %dx%d: %s", onnxnet.Shapes(outs), d.size, d.size, why)
	}
	return nil
}

// mapLevels sets d.levels and d.classes from outs, or says why they do not
// fit.
func (d *Detector) mapLevels(outs onnxnet.Outputs) (why string) {
	used := make([]bool, len(outs))
	d.classes = 0
	for li, s := range [3]int{8, 16, maxStride} {
		lv, why := findLevel(outs, used, s, (d.size+s-1)/s)
		if why == "" {
			why = d.countClasses(outs[lv.cls].Dims)
		}
		if why != "" {
			return why
		}
		d.levels[li] = lv
	}
	if slices.Contains(used, false) {
		return "unexpected extra outputs"
	}
	return ""
}

// findLevel takes, among the outputs not yet used, the score and box
// tensors of the stride-s level of g x g cells, or says why there are none.
func findLevel(outs onnxnet.Outputs, used []bool, s, g int) (lv nanodetLevel, why string) {
	lv = nanodetLevel{stride: s, grid: g, cls: -1, reg: -1}
	for i, t := range outs {
		rows, cols, ok := onnxnet.MatrixShape(t.Dims)
		if !ok || used[i] || rows != g*g {
			continue
		}
		if cols == nanodetRegCols && lv.reg < 0 {
			lv.reg = i
		} else if lv.cls < 0 {
			lv.cls = i
		} else {
			return lv, fmt.Sprintf("more than two outputs with %d rows", rows)
		}
		used[i] = true
	}
	if lv.cls < 0 || lv.reg < 0 {
		return lv, fmt.Sprintf("no (%d, classes) and (%d, %d) pair for stride %d", g*g, g*g, nanodetRegCols, s)
	}
	return lv, ""
}

// countClasses sets d.classes from a score tensor's dims, or says why they
// differ from another level's.
func (d *Detector) countClasses(dims []int) (why string) {
	_, c, _ := onnxnet.MatrixShape(dims)
	if d.classes == 0 {
		d.classes = c
	} else if c != d.classes {
		return "the class counts differ between strides"
	}
	return ""
}

// Detect finds objects in img (8-bit BGR, any size); boxes are in img's pixels.
func (d *Detector) Detect(img gocv.Mat) ([]core.Detection, error) {
	return d.Run(img, d.preprocess, d.postprocess)
}

// preprocess stretches img to S x S and writes it normalised per channel,
// NCHW, into the input blob.
func (d *Detector) preprocess(img gocv.Mat) error {
	px, err := d.Resize(img, d.size, d.size)
	if err != nil {
		return err
	}
	if len(d.Blob) != len(px) {
		return fmt.Errorf("the input holds %d values, want %d", len(d.Blob), len(px))
	}
	blob.Planar(d.Blob, px, nanodetMean, nanodetScale)
	return nil
}

// postprocess decodes outs into detections for a frameW x frameH frame:
// threshold, distribution-to-box decode, per-class NMS, clip to the frame.
// The returned slice is new and owned by the caller (nil when empty).
func (d *Detector) postprocess(outs onnxnet.Outputs, frameW, frameH int) ([]core.Detection, error) {
	if len(outs) != nanodetOutputs {
		return nil, fmt.Errorf("got %d outputs, want %d", len(outs), nanodetOutputs)
	}
	fm := nms.NewFrameMap(frameW, frameH, d.size, d.size, 0, 0)
	return family.Decode(&d.cands, d.levels[:], func(c []nms.Candidate, lv nanodetLevel) ([]nms.Candidate, error) {
		return d.decodeLevel(c, outs, lv, fm)
	}, d.nmsThr, d.labels)
}

// decodeLevel appends to cands the boxes of level lv that score at least
// the threshold, mapped to the frame by fm.
func (d *Detector) decodeLevel(cands []nms.Candidate, outs onnxnet.Outputs, lv nanodetLevel, fm nms.FrameMap) ([]nms.Candidate, error) {
	n := lv.grid * lv.grid
	cls, reg := outs[lv.cls].Data, outs[lv.reg].Data
	if len(cls) != n*d.classes || len(reg) != n*nanodetRegCols {
		return nil, fmt.Errorf("stride %d outputs changed shape", lv.stride)
	}
	for a := range n {
		best, score := family.BestClass(cls[a*d.classes : (a+1)*d.classes])
		if score < d.conf {
			continue
		}
		x1, y1, x2, y2 := lv.anchorBox(a, reg[a*nanodetRegCols:(a+1)*nanodetRegCols])
		if c, ok := fm.Candidate(x1, y1, x2, y2, score, best); ok {
			cands = append(cands, c)
		}
	}
	return cands, nil
}

// anchorBox decodes the box distribution r of anchor a, the cell index in
// the level, into a box in input pixels.
func (lv nanodetLevel) anchorBox(a int, r []float32) (x1, y1, x2, y2 float32) {
	s := float32(lv.stride)
	cx := float32(a%lv.grid)*s + (s-1)/2
	cy := float32(a/lv.grid)*s + (s-1)/2
	l := distExpectation(r[0:nanodetBins]) * s
	t := distExpectation(r[nanodetBins:2*nanodetBins]) * s
	rr := distExpectation(r[2*nanodetBins:3*nanodetBins]) * s
	b := distExpectation(r[3*nanodetBins:4*nanodetBins]) * s
	return cx - l, cy - t, cx + rr, cy + b
}

// distExpectation is sum(i * softmax(bins)_i): a side's distance in strides.
func distExpectation(bins []float32) float32 {
	m := bins[0]
	for _, v := range bins[1:] {
		m = max(m, v)
	}
	var sum, acc float32
	for i, v := range bins {
		e := float32(math.Exp(float64(v - m)))
		sum += e
		acc += float32(i) * e
	}
	return acc / sum
}

// Prepare pre-processes img into the input blob (Stager).
func (d *Detector) Prepare(img gocv.Mat) error {
	return d.Fill(img, d.preprocess)
}

// Labels are the class names, in class-id order.
func (d *Detector) Labels() []string { return d.labels }

// Size is the input side S the net runs at.
func (d *Detector) Size() int { return d.size }
