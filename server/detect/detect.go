// Package detect finds objects in video frames with deep-learning detectors,
// behind one small interface.
//
// The model families are a table (Families): "nanodet" (NanoDet-m, COCO 80
// classes, any input size; the default), "blazeface" (MediaPipe BlazeFace,
// faces), "yolo" (Ultralytics YOLOv5, YOLOv8 and YOLO11 detection
// exports) and "mean" (no network, finds nothing). Each family's
// pre-processing, output decoding and labels live in its own package
// (server/detect/nanodet, .../blazeface, .../yolo); the forward pass runs
// on an engine of package engine: ONNX Runtime (the default) or OpenCV's
// DNN module. Models are checked when a Detector is made, never at the
// first frame.
package detect

import (
	"cmp"
	"fmt"
	"os"
	"slices"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/blazeface"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/nanodet"
)

// Kinds other packages name (Kinds lists every accepted Config.Kind).
const (
	KindMean      = "mean"
	KindNanodet   = nanodet.Kind
	KindBlazeFace = blazeface.Kind
)

// KindDefault is the kind a server runs unless told otherwise.
const KindDefault = KindNanodet

// Accepted values of Config.Engine.
const (
	EngineONNXRuntime = engine.ONNXRuntime
	EngineOpenCV      = engine.OpenCV
	EngineKServe      = engine.KServe // inference servers over the Open Inference Protocol (Config.Remote)
	EngineDefault     = engine.Default
)

// DefaultONNXRuntimeLib is the ONNX Runtime library loaded when
// Config.ONNXRuntimeLib is "" (scripts/install-onnxruntime.sh puts it there).
const DefaultONNXRuntimeLib = engine.DefaultONNXRuntimeLib

// Box is an axis-aligned box in source-frame pixels, top-left origin.
type Box = core.Box

// Detection is one object found in a frame (core's type, so that code
// without OpenCV can use detections).
type Detection = core.Detection

// Detector finds objects in 8-bit BGR frames and names the classes it
// reports (Labels). A Detector is NOT safe for concurrent use (an engine
// is not): use one per worker goroutine; Close it once it is no longer
// used.
type Detector = family.Detector

// Config selects and tunes a detector.
type Config struct {
	Kind       string  // one of Kinds()
	ModelFile  string  // "" = DefaultModelFile(Kind)
	LabelsFile string  // class names, one a line; "" = the family's own (Family.Labels)
	Conf       float32 // minimum score; 0 = the family's default (Family.Conf)
	NMS        float32 // IoU threshold; 0 = the family's default (Family.NMS)
	// InputSize is the input side S for a model file that leaves it open;
	// a file that fixes another S is refused. 0 = the family's default.
	InputSize int

	Engine         string // "onnxruntime", "opencv"; "" = EngineDefault (onnxruntime)
	ONNXRuntimeLib string // onnxruntime's shared library; "" = DefaultONNXRuntimeLib
	// Threads of one forward pass on onnxruntime (intra-op threads, per
	// detector); 0 = 1. OpenCV's threads are process-wide: SetThreads.
	Threads int
	// Remote runs the forward pass of Engine "kserve" (package server/kserve).
	Remote engine.Remote
}

// Engines lists the accepted engines, the default first.
func Engines() []string { return engine.Names() }

// engineOptions is the engine part of cfg.
func (cfg Config) engineOptions() engine.Options {
	return engine.Options{Engine: cfg.Engine, ONNXRuntimeLib: cfg.ONNXRuntimeLib, Threads: cfg.Threads, Remote: cfg.Remote}
}

// New makes a detector of cfg.Kind on cfg.Engine. It loads and checks the
// model: a missing, unreadable or wrong model file fails here with an error
// naming the file, as does a missing or wrong ONNX Runtime library (naming
// it), and one warm-up forward is run on a blank image. The caller owns the
// returned Detector and must Close it.
func New(cfg Config) (Detector, error) {
	f, ok := lookup(cfg.Kind)
	if !ok {
		return nil, fmt.Errorf("detect: unknown kind %q (want one of %v)", cfg.Kind, Kinds())
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	p, err := params(f, cfg)
	if err != nil {
		return nil, err
	}
	d, err := f.New(p)
	if err != nil {
		return nil, fmt.Errorf("detect: %s model %s: %w", cfg.Kind, modelFile(f, cfg), err)
	}
	return d, nil
}

// check reports the first out-of-range field of cfg, or nil.
func (cfg Config) check() error {
	switch {
	case cfg.Conf < 0 || cfg.Conf > 1:
		return fmt.Errorf("detect: score threshold %v is outside 0..1", cfg.Conf)
	case cfg.NMS < 0 || cfg.NMS > 1:
		return fmt.Errorf("detect: NMS IoU threshold %v is outside 0..1", cfg.NMS)
	case cfg.Engine != "" && cfg.Engine != EngineKServe && !slices.Contains(Engines(), cfg.Engine):
		return fmt.Errorf("detect: unknown engine %q (want one of %v)", cfg.Engine, Engines())
	case cfg.Threads < 0:
		return fmt.Errorf("detect: %d engine threads", cfg.Threads)
	case cfg.InputSize < 0:
		return fmt.Errorf("detect: input size %d", cfg.InputSize)
	}
	return nil
}

// params reads cfg's model and labels files for family f and fills in
// its defaults. A family without a network reads nothing.
func params(f Family, cfg Config) (family.Params, error) {
	p := family.Params{Conf: cfg.Conf, NMS: cfg.NMS, Engine: cfg.engineOptions(), Input: f.Input}
	p.Input.Size = cfg.InputSize
	if !f.HasNetwork() {
		return p, nil
	}
	p.Conf, p.NMS = cmp.Or(p.Conf, f.Conf), cmp.Or(p.NMS, f.NMS)
	var err error
	if p.Model, err = readModel(f, cfg); err != nil {
		return p, err
	}
	if cfg.LabelsFile != "" {
		p.Labels, err = loadLabels(cfg.LabelsFile)
		p.LabelsName = "labels file " + cfg.LabelsFile
	}
	return p, err
}

// modelFile is cfg's model file, or f's default.
func modelFile(f Family, cfg Config) string {
	return cmp.Or(cfg.ModelFile, f.DefaultFile)
}

// readModel reads the whole model file of cfg for family f.
func readModel(f Family, cfg Config) ([]byte, error) {
	path := modelFile(f, cfg)
	if path == "" {
		return nil, fmt.Errorf("detect: %s: no model file given, and the set-up installs none for it", f.Kind)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: cannot read model file: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("detect: model file %s is empty", path)
	}
	return b, nil
}
