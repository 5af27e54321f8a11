package detect

import (
	"fmt"
	"math"
	"os"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/engine"
)

// Real media for comparing the engines: Debian's darknet and opencv-doc
// photos and frames of opencv-doc's vtest.avi (pedestrians).
const (
	dogJPG    = "/usr/share/darknet/data/dog.jpg"
	horsesJPG = "/usr/share/darknet/data/horses.jpg"
	vtestAVI  = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
)

// Tolerances between the engines' answers for the same frame.
const (
	maxBoxDiff   = 2    // pixels, per box edge
	maxScoreDiff = 0.02 // a detection this close to the threshold may be on one engine only
)

// namedFrame is a test frame and where it came from.
type namedFrame struct {
	name string
	img  gocv.Mat
}

// engineFrames loads the photos and vtest.avi frames 0, 150, 300 and 450.
// The Mats are closed when the test ends.
func engineFrames(t *testing.T, photos ...string) []namedFrame {
	t.Helper()
	var frames []namedFrame
	for _, p := range photos {
		frames = append(frames, namedFrame{p, readImage(t, p)})
	}
	frames = append(frames, videoFrames(t, vtestAVI, 0, 150, 300, 450)...)
	t.Cleanup(func() {
		for _, f := range frames {
			f.img.Close()
		}
	})
	return frames
}

// videoFrames reads the frames of path at the given (increasing) indexes.
func videoFrames(t *testing.T, path string, at ...int) []namedFrame {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("test video %s not found (install the opencv-doc package): %v", path, err)
	}
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer vc.Close()
	var out []namedFrame
	img := gocv.NewMat()
	defer img.Close()
	for i := 0; len(out) < len(at); i++ {
		if !vc.Read(&img) || img.Empty() {
			t.Fatalf("%s: no frame %d", path, i)
		}
		if i == at[len(out)] {
			out = append(out, namedFrame{fmt.Sprintf("%s#%d", path, i), img.Clone()})
		}
	}
	return out
}

// engineCase is a model to run on both engines, and the frames to compare.
type engineCase struct {
	name   string
	cfg    Config
	photos []string
}

// Both engines give the same answers on real photos and video frames: same
// labels, boxes within maxBoxDiff pixels, scores within maxScoreDiff.
func TestEnginesAgreeOnRealFrames(t *testing.T) {
	cases := []engineCase{
		{"nanodet-320", Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")},
			[]string{personJPG, dogJPG, horsesJPG, messiJPG}},
	}
	if face := "face_detection_front_128x128_barracuda.onnx"; fileExists(blazeFaceDir + "/" + face) {
		cases = append(cases,
			engineCase{"blazeface-128", Config{Kind: KindBlazeFace, ModelFile: blazeFaceDir + "/" + face},
				[]string{personJPG, messiJPG, gocvFaceJPG(t)}},
			engineCase{"blazeface-256", Config{Kind: KindBlazeFace, ModelFile: blazeFaceDir + "/face_detection_back_256x256_barracuda.onnx"},
				[]string{personJPG, messiJPG, gocvFaceJPG(t)}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { compareEngines(t, c) })
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// compareEngines runs c's model on both engines over c's frames.
func compareEngines(t *testing.T, c engineCase) {
	ortCfg, cvCfg := c.cfg, c.cfg
	ortCfg.Engine, cvCfg.Engine = EngineONNXRuntime, EngineOpenCV
	ort, cv := newDetector(t, ortCfg), newDetector(t, cvCfg)
	if a, b := fmt.Sprintf("%T", engineOf(ort)), fmt.Sprintf("%T", engineOf(cv)); a == b {
		t.Fatalf("both detectors run on %s", a)
	}
	diff := engineDiff{conf: DefaultConf(c.cfg.Kind)}
	frames := engineFrames(t, c.photos...)
	for _, f := range frames {
		a, err := ort.Detect(f.img)
		if err != nil {
			t.Fatalf("%s onnxruntime: %v", f.name, err)
		}
		b, err := cv.Detect(f.img)
		if err != nil {
			t.Fatalf("%s opencv: %v", f.name, err)
		}
		for _, p := range diff.add(a, b) {
			t.Errorf("%s: %s", f.name, p)
		}
	}
	t.Logf("%d frames, %d detection pairs: boxes up to %.3g px apart, scores up to %.3g; %d borderline detections on one engine only",
		len(frames), diff.pairs, diff.maxBox, diff.maxScore, diff.borderline)
}

// engineDiff compares the two engines' detections frame by frame.
type engineDiff struct {
	conf             float32 // the detector's threshold
	pairs            int
	maxBox, maxScore float32
	borderline       int // detections on one engine only, within maxScoreDiff of conf
}

// add pairs each detection of a with the closest one of the same label in
// b and describes every difference beyond the tolerances. A detection with
// no partner is a difference unless its score is within maxScoreDiff of the
// threshold.
func (df *engineDiff) add(a, b []Detection) []string {
	var probs []string
	used := make([]bool, len(b))
	for _, d := range a {
		j := closest(d, b, used)
		if j < 0 {
			probs = append(probs, df.alone("onnxruntime", d)...)
			continue
		}
		used[j] = true
		df.pairs++
		box, score := boxDiff(d.Box, b[j].Box), abs32(d.Score-b[j].Score)
		df.maxBox, df.maxScore = max(df.maxBox, box), max(df.maxScore, score)
		if box > maxBoxDiff {
			probs = append(probs, fmt.Sprintf("%s box: got %v (opencv), want %v (onnxruntime): %.2f px apart, want <= %d", d.Label, b[j].Box, d.Box, box, maxBoxDiff))
		}
		if score > maxScoreDiff {
			probs = append(probs, fmt.Sprintf("%s score: got %.3f (opencv), want %.3f (onnxruntime), want within %.2f", d.Label, b[j].Score, d.Score, maxScoreDiff))
		}
	}
	for j, d := range b {
		if !used[j] {
			probs = append(probs, df.alone("opencv", d)...)
		}
	}
	return probs
}

// alone judges a detection only engine found.
func (df *engineDiff) alone(engine string, d Detection) []string {
	if d.Score < df.conf+maxScoreDiff {
		df.borderline++
		return nil
	}
	return []string{fmt.Sprintf("only %s found %s %.3f %v", engine, d.Label, d.Score, d.Box)}
}

// closest is the index of the unused detection in b with d's label whose
// box is nearest d's, or -1.
func closest(d Detection, b []Detection, used []bool) int {
	best, bestDiff := -1, float32(math.MaxFloat32)
	for j, e := range b {
		if used[j] || e.Label != d.Label {
			continue
		}
		if diff := boxDiff(d.Box, e.Box); diff < bestDiff {
			best, bestDiff = j, diff
		}
	}
	return best
}

// boxDiff is the largest distance between matching edges of two boxes.
func boxDiff(a, b Box) float32 {
	return max(abs32(a.X-b.X), abs32(a.Y-b.Y), abs32(a.X+a.W-b.X-b.W), abs32(a.Y+a.H-b.Y-b.H))
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// engineOf is the engine a network detector runs on.
func engineOf(d Detector) engine.Engine {
	if n, ok := d.(interface{ Engine() engine.Engine }); ok {
		return n.Engine()
	}
	return nil
}
