package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect/coco"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

// yoloFrameW and yoloFrameH are the test frame's size: wider than tall, so
// that the letterbox pads above and below.
const yoloFrameW, yoloFrameH = 640, 360

// frameBox is an object planted in the test frame, in frame pixels, with
// the label and score the server must report (zero score: must not be
// reported).
type frameBox struct {
	x1, y1, x2, y2 float64
	class          int
	score, obj     float64
}

// yoloObjects are the planted objects of a model of nc classes: two, a
// weaker duplicate of the first (NMS drops it), one under the default
// threshold 0.25, and one reaching into the padding above the frame.
func yoloObjects(nc int) []frameBox {
	return []frameBox{
		{100, 50, 220, 300, 0, 0.9, 0.95},
		{400, 120, 560, 200, nc - 1, 0.7, 0.9},
		{104, 52, 222, 296, 0, 0.6, 0.95},
		{300, 300, 340, 340, 1, 0.1, 0.95},
		{500, -30, 600, 60, 1, 0.8, 0.8},
	}
}

// yoloSpec plants objs in an export of s's layout, at anchors spread over
// its n candidates.
func yoloSpec(s yolotest.Spec, objs []frameBox) yolotest.Spec {
	n := yolotest.Cells(s.Size)
	if s.V5 {
		n *= 3
	}
	for i, o := range objs {
		cx, cy, w, h := yolotest.ToInput(o.x1, o.y1, o.x2, o.y2, yoloFrameW, yoloFrameH, s.Size)
		s.Boxes = append(s.Boxes, yolotest.Box{Anchor: (i*n)/len(objs) + 1, CX: cx, CY: cy, W: w, H: h, Class: o.class, Score: o.score, Obj: o.obj})
	}
	return s
}

// `--model yolo --model-file F.onnx` serves an Ultralytics-shaped export:
// a YOLOv8 layout with a dynamic input (run at 640) and its class names in
// the metadata, and a YOLOv5 layout of 80 classes at a fixed 320 without
// names (COCO's), on both engines. The planted boxes come back in frame
// pixels within 2 px, as the reference decoder reads them.
func TestServerRunsYOLOExports(t *testing.T) {
	names := []string{"person", "o'clock", "traffic light"}
	v8 := yoloSpec(yolotest.Spec{Size: 640, Dynamic: true, Classes: 3, Names: names}, yoloObjects(3))
	v5 := yoloSpec(yolotest.Spec{V5: true, Size: 320, Classes: 80}, yoloObjects(80))
	for _, c := range []struct {
		name   string
		spec   yolotest.Spec
		labels []string
	}{{"v8", v8, names}, {"v5", v5, coco.Labels()}} {
		file := yolotest.Write(t, c.spec)
		for _, eng := range engine.Names() {
			t.Run(c.name+"/"+eng, func(t *testing.T) {
				r := startRun(t, "--model", "yolo", "--model-file", file, "--engine", eng, "--workers", "1")
				got := detectOver(t, r.grpcAddr, colourJPEG(t, yoloFrameW, yoloFrameH))
				want := yolotest.Reference(c.spec, yoloFrameW, yoloFrameH, 0.25, 0.45)
				compareYOLO(t, got, want, c.labels)
				checkPlanted(t, got, yoloObjects(c.spec.Classes))
			})
		}
	}
}

// detectOver sends frame to the server at addr with DetectFrame.
func detectOver(t *testing.T, addr string, frame []byte) []*pb.Detection {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, err := pb.NewImageProcedureClient(conn).DetectFrame(context.Background(), &pb.DetectFrameRequest{Name: "yolo", Frame: &pb.Frame{Data: frame}})
	if err != nil {
		t.Fatal(err)
	}
	return r.GetDetections()
}

// compareYOLO checks got against the reference's want: three objects (the
// duplicate and the weak one gone), the one in the padding clipped at 0.
func compareYOLO(t *testing.T, got []*pb.Detection, want []yolotest.Found, labels []string) {
	t.Helper()
	if len(want) != 3 || want[1].Y1 != 0 {
		t.Fatalf("the reference decoder found %+v: want 3 objects, the second clipped at the top", want)
	}
	if len(got) != len(want) {
		t.Fatalf("the server found %d objects %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if p := yoloMismatch(got[i], w, labels); p != "" {
			t.Errorf("object %d: %s", i, p)
		}
	}
}

// checkPlanted checks that the server's boxes are the planted objects in
// frame pixels within 2 px, best score first: the first, the one in the
// padding (clipped at the frame's top) and the second; it logs how far
// apart they are.
func checkPlanted(t *testing.T, got []*pb.Detection, objs []frameBox) {
	t.Helper()
	want := []frameBox{objs[0], objs[4], objs[1]}
	want[1].y1 = 0
	var worst float64
	for i, w := range want[:min(len(want), len(got))] {
		b := got[i].GetBox()
		d := max(math.Abs(float64(b.X)-w.x1), math.Abs(float64(b.Y)-w.y1),
			math.Abs(float64(b.X+b.Width)-w.x2), math.Abs(float64(b.Y+b.Height)-w.y2))
		worst = max(worst, d)
		if d > 2 || int(got[i].ClassId) != w.class {
			t.Errorf("object %d: got class %d %v, want class %d planted at [%v %v %v %v]", i, got[i].ClassId, b, w.class, w.x1, w.y1, w.x2, w.y2)
		}
	}
	t.Logf("boxes within %.3f px of the planted ones", worst)
}

// yoloMismatch describes how g differs from w beyond 2 px and 1e-4, or "".
func yoloMismatch(g *pb.Detection, w yolotest.Found, labels []string) string {
	b := g.GetBox()
	d := max(math.Abs(float64(b.X)-w.X1), math.Abs(float64(b.Y)-w.Y1),
		math.Abs(float64(b.X+b.Width)-w.X2), math.Abs(float64(b.Y+b.Height)-w.Y2))
	if g.Label != labels[w.Class] || int(g.ClassId) != w.Class || math.Abs(float64(g.Score)-w.Score) > 1e-4 || d > 2 {
		return fmt.Sprintf("got %q (%d) %.4f %v, want %q (%d) %.4f [%.1f %.1f %.1f %.1f]: %.2f px apart",
			g.Label, g.ClassId, g.Score, b, labels[w.Class], w.Class, w.Score, w.X1, w.Y1, w.X2, w.Y2, d)
	}
	return ""
}

// colourJPEG is a w x h colour JPEG.
func colourJPEG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.White)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
