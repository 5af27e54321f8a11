// Package detect finds objects in video frames with deep-learning detectors,
// behind one small interface.
//
// Kinds: "mean" (no network, finds nothing), "nanodet" (NanoDet-m, COCO 80
// classes, any input size; the default) and "blazeface" (MediaPipe
// BlazeFace, faces). Each model's pre-processing, output decoding, NMS and
// labels are written once here; the forward pass runs on an engine of
// package engine: ONNX Runtime (the default) or OpenCV's DNN module. Models
// are checked when a Detector is made, never at the first frame.
package detect

import (
	"github.com/framewire/framewire/server/core"

	"fmt"
	"os"
	"slices"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/engine"
)

// Accepted values of Config.Kind.
const (
	KindMean      = "mean"
	KindNanodet   = "nanodet"
	KindBlazeFace = "blazeface"
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

// Default model files installed by the project's set-up
// (scripts/install-models.sh; the NanoDet file is the project's
// models/nanodet/nanodet-m-320.onnx).
const (
	defaultNanodetModel   = "/usr/local/share/framewire/models/nanodet/nanodet-m-320.onnx"
	defaultBlazeFaceModel = "/usr/local/share/framewire/models/blazeface/face_detection_front_128x128_barracuda.onnx"
)

// Default thresholds per kind.
const (
	defaultNanodetConf   = 0.4
	defaultNanodetNMS    = 0.5
	defaultBlazeFaceConf = 0.6
	defaultBlazeFaceNMS  = 0.3
)

// Box is an axis-aligned box in source-frame pixels, top-left origin.
type Box = core.Box

// Detection is one object found in a frame (core's type, so that code
// without OpenCV can use detections).
type Detection = core.Detection

// Detector finds objects in 8-bit BGR frames. A Detector is NOT safe for
// concurrent use (an engine is not): use one per worker goroutine.
// Detect does not keep or modify img; the returned slice belongs to the
// caller. Close frees the detector's OpenCV memory; it must be called once
// the detector is no longer used.
type Detector interface {
	Detect(img gocv.Mat) ([]Detection, error)
	Close() error
}

// Config selects and tunes a detector.
type Config struct {
	Kind       string  // "mean", "nanodet", "blazeface"
	ModelFile  string  // "" = DefaultModelFile(Kind)
	LabelsFile string  // nanodet only; "" = built-in COCO 80 labels
	Conf       float32 // minimum score; 0 = the kind's default (nanodet 0.4, blazeface 0.6)
	NMS        float32 // IoU threshold; 0 = default (nanodet 0.5, blazeface 0.3)

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

// Kinds lists the accepted kinds.
func Kinds() []string {
	return []string{KindMean, KindNanodet, KindBlazeFace}
}

// DefaultModelFile returns the model file the project's set-up installs for
// a kind, or "" for "mean" and unknown kinds.
func DefaultModelFile(kind string) string {
	switch kind {
	case KindNanodet:
		return defaultNanodetModel
	case KindBlazeFace:
		return defaultBlazeFaceModel
	}
	return ""
}

// New makes a detector of cfg.Kind on cfg.Engine. It loads and checks the
// model: a missing, unreadable or wrong model file fails here with an error
// naming the file, as does a missing or wrong ONNX Runtime library (naming
// it), and one warm-up forward is run on a blank image. The caller owns the
// returned Detector and must Close it.
func New(cfg Config) (Detector, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	switch cfg.Kind {
	case KindMean:
		return meanDetector{}, nil
	case KindNanodet:
		return newNanodetFromConfig(withDefaults(cfg, defaultNanodetConf, defaultNanodetNMS))
	case KindBlazeFace:
		return newBlazeFaceFromConfig(withDefaults(cfg, defaultBlazeFaceConf, defaultBlazeFaceNMS))
	}
	return nil, fmt.Errorf("detect: unknown kind %q (want one of %v)", cfg.Kind, Kinds())
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
	}
	return nil
}

// newNanodetFromConfig reads cfg's model and labels and makes the detector.
func newNanodetFromConfig(cfg Config) (Detector, error) {
	model, err := readModel(cfg.ModelFile)
	if err != nil {
		return nil, err
	}
	labels, err := loadLabels(cfg.LabelsFile)
	if err != nil {
		return nil, err
	}
	labelsName := "the built-in COCO labels"
	if cfg.LabelsFile != "" {
		labelsName = "labels file " + cfg.LabelsFile
	}
	d, err := newNanodet(model, labels, labelsName, cfg.Conf, cfg.NMS, cfg.engineOptions())
	if err != nil {
		return nil, fmt.Errorf("detect: nanodet model %s: %w", cfg.ModelFile, err)
	}
	return d, nil
}

// newBlazeFaceFromConfig reads cfg's model and makes the detector.
func newBlazeFaceFromConfig(cfg Config) (Detector, error) {
	model, err := readModel(cfg.ModelFile)
	if err != nil {
		return nil, err
	}
	d, err := newBlazeFace(model, cfg.Conf, cfg.NMS, cfg.engineOptions())
	if err != nil {
		return nil, fmt.Errorf("detect: blazeface model %s: %w", cfg.ModelFile, err)
	}
	return d, nil
}

// withDefaults fills the zero fields of cfg with the kind's defaults.
func withDefaults(cfg Config, conf, nms float32) Config {
	if cfg.ModelFile == "" {
		cfg.ModelFile = DefaultModelFile(cfg.Kind)
	}
	if cfg.Conf == 0 {
		cfg.Conf = conf
	}
	if cfg.NMS == 0 {
		cfg.NMS = nms
	}
	return cfg
}

// readModel reads a whole model file.
func readModel(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: cannot read model file: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("detect: model file %s is empty", path)
	}
	return b, nil
}
