package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// startServer serves a real pipeline with the mean model over bufconn.
func startServer(t *testing.T, out string) pb.ImageProcedureClient {
	t.Helper()
	return startMonitoredAt(t, out).rpc
}

func TestImageMeanWH(t *testing.T) {
	c := startServer(t, t.TempDir())
	ctx := context.Background()
	// The tutorial's workload: a random 416x416x3 frame.
	rng := rand.New(rand.NewPCG(1, 2))
	px := make([]byte, 416*416*3)
	var sum uint64
	for i := range px {
		px[i] = byte(rng.IntN(256))
		sum += uint64(px[i])
	}
	want := float32(float64(sum) / float64(len(px)))
	got, err := c.ImageMeanWH(ctx, &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: 416, Height: 416})
	if err != nil {
		t.Fatal(err)
	}
	if got.Channel != 3 || got.Mean != want {
		t.Errorf("got channel %d mean %v, want 3 and %v", got.Channel, got.Mean, want)
	}
	// Height rows of width pixels, 1 and 4 channels.
	for _, ch := range []int{1, 4} {
		b := bytes.Repeat([]byte{10, 20, 30, 40}, 6*4*ch/4)
		got, err := c.ImageMeanWH(ctx, &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(b), Width: 6, Height: 4})
		if err != nil || got.Channel != int32(ch) || got.Mean != 25 {
			t.Errorf("%d channels: got %v, %v", ch, got, err)
		}
	}

	bad := []struct {
		name string
		in   *pb.B64Image
		msg  string
	}{
		{"2 channels", &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(make([]byte, 416*416*2)), Width: 416, Height: 416}, "want 173056 (1 channel), 519168 (3) or 692224 (4)"},
		{"one byte short", &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px[:len(px)-1]), Width: 416, Height: 416}, "519167 bytes"},
		{"width and height swapped wrongly", &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: 416, Height: 415}, "do not make a 416x415 image"},
		{"empty", &pb.B64Image{Width: 416, Height: 416}, "0 bytes"},
		{"zero width", &pb.B64Image{B64Image: "AAAA", Width: 0, Height: 1}, "must be positive"},
		{"negative height", &pb.B64Image{B64Image: "AAAA", Width: 1, Height: -3}, "must be positive"},
		{"overflowing size", &pb.B64Image{B64Image: "AAAA", Width: math.MaxInt32, Height: math.MaxInt32}, "above the limit"},
		{"not base64", &pb.B64Image{B64Image: "!!!not base64", Width: 4, Height: 4}, "decode base64"},
	}
	for _, b := range bad {
		_, err := c.ImageMeanWH(ctx, b.in)
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("%s: got %v, want InvalidArgument saying %q", b.name, err, b.msg)
		}
	}
}

// pngBytes encodes a w x h PNG of colour c: grey for a color.Gray, RGB otherwise.
func pngBytes(t testing.TB, w, h int, c color.Color) []byte {
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	} = image.NewRGBA(image.Rect(0, 0, w, h))
	if _, gray := c.(color.Gray); gray {
		img = image.NewGray(image.Rect(0, 0, w, h))
	}
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestStreamEncodingsOutputAndBadFrames(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	raw := bytes.Repeat([]byte{0, 128, 255}, 64*48)
	jpg, err := os.ReadFile("/usr/share/doc/opencv-doc/examples/data/messi5.jpg")
	if err != nil {
		t.Skipf("opencv-doc's messi5.jpg is needed (apt-get install opencv-doc): %v", err)
	}
	src := streamtest.Frames{
		{Seq: 0, Encoding: pb.Encoding_ENCODING_JPEG, Data: jpg},
		{Seq: 1, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 32, 16, color.RGBA{200, 100, 50, 255})},
		{Seq: 2, Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: raw, Width: 64, Height: 48},
		{Seq: 3, Encoding: pb.Encoding_ENCODING_JPEG, Data: []byte("not an image")},
		{Seq: 4, Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: raw[:100], Width: 64, Height: 48},
		{Seq: 5, Encoding: pb.Encoding_ENCODING_JPEG},
		{Seq: 6, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 8, 8, color.Gray{77})},
	}
	var results []*pb.FrameResult
	sum, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{
		Header:   &pb.StreamHeader{Name: "mixed"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { results = append(results, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Processed != 4 || sum.Failed != 3 || len(results) != 7 {
		t.Fatalf("processed %d failed %d results %d", sum.Processed, sum.Failed, len(results))
	}
	checks := []struct {
		w, h, ch int32
		mean     float32
		err      string
	}{
		{w: 548, h: 342, ch: 3},
		{w: 32, h: 16, ch: 3, mean: (200 + 100 + 50) / 3.0},
		{w: 64, h: 48, ch: 3, mean: (0 + 128 + 255) / 3.0},
		{err: "not a readable JPEG"},
		{err: "raw BGR 64x48 needs 9216 bytes, got 100"},
		{err: "no image bytes"},
		{w: 8, h: 8, ch: 1, mean: 77},
	}
	for i, want := range checks {
		r := results[i]
		if r.Seq != int64(i) {
			t.Errorf("result %d has seq %d", i, r.Seq)
		}
		if want.err != "" {
			if !strings.Contains(r.Error, want.err) {
				t.Errorf("frame %d: error %q, want one saying %q", i, r.Error, want.err)
			}
			continue
		}
		if r.Error != "" || r.Width != want.w || r.Height != want.h || r.Channel != want.ch {
			t.Errorf("frame %d: %dx%dx%d error %q, want %dx%dx%d", i, r.Width, r.Height, r.Channel, r.Error, want.w, want.h, want.ch)
		}
		if want.mean != 0 && math.Abs(float64(r.Mean-want.mean)) > 0.01 {
			t.Errorf("frame %d: mean %v, want %v", i, r.Mean, want.mean)
		}
		jpgOut, err := os.ReadFile(filepath.Join(out, r.OutputPath))
		if err != nil || !bytes.HasPrefix(jpgOut, []byte{0xff, 0xd8}) {
			t.Errorf("frame %d: output %q is not a JPEG: %v", i, r.OutputPath, err)
		}
	}
	lines := readLines(t, filepath.Join(out, "mixed", "predictions.jsonl"))
	if len(lines) != 7 {
		t.Fatalf("%d prediction lines, want 7", len(lines))
	}
	for i, l := range lines {
		var p record.Frame
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Seq != int64(i) {
			t.Errorf("line %d: %q (%v)", i, l, err)
		}
	}
	// No temporary files are left behind.
	tmps, _ := filepath.Glob(filepath.Join(out, "mixed", ".tmp-*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestStreamNamesThatEscapeAreRefused(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	for _, name := range []string{"", "..", "../x", "a/b", `a\b`, "/etc", ".hidden", "a\x00b", strings.Repeat("n", 129)} {
		src := streamtest.Frames{}
		_, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{Header: &pb.StreamHeader{Name: name}})
		var st interface{ GRPCStatus() *status.Status }
		if !errors.As(err, &st) || st.GRPCStatus().Code() != codes.InvalidArgument {
			t.Errorf("name %q: got %v, want InvalidArgument", name, err)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 0 {
		t.Errorf("refused names created %v", entries)
	}
}

func TestTornPredictionsRepairedAndDoneReported(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "resume")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	torn := `{"seq":0}` + "\n" + `{"seq":1}` + "\n" + `{"seq":2}` + "\n" + `{"seq":5}` + "\n" + `{"seq":6,"detec`
	if err := os.WriteFile(filepath.Join(dir, folder.PredictionsFile), []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startServer(t, out)
	src := streamtest.Frames{{Seq: 6, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 4, 4, color.White)}}
	sum, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{Header: &pb.StreamHeader{Name: "resume"}})
	if err != nil {
		t.Fatal(err)
	}
	var done []string
	for _, r := range sum.Ready.Done {
		done = append(done, fmt.Sprintf("%d-%d", r.Start, r.End))
	}
	if strings.Join(done, " ") != "0-3 5-6" {
		t.Errorf("done ranges %v, want [0-3 5-6]", done)
	}
	lines := readLines(t, filepath.Join(dir, folder.PredictionsFile))
	if len(lines) != 5 || !strings.HasPrefix(lines[4], `{"seq":6,"capture_unix_nano"`) {
		t.Errorf("repaired file:\n%s", strings.Join(lines, "\n"))
	}
}

func TestDetectFrameUnary(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	ctx := context.Background()
	r, err := c.DetectFrame(ctx, &pb.DetectFrameRequest{Name: "one", Frame: &pb.Frame{
		Seq: 42, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 10, 10, color.Gray{9})}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 42 || r.Channel != 1 || r.Mean != 9 || r.OutputPath != "_unary/one/00000042.jpg" {
		t.Errorf("result %v, want seq 42, channel 1, mean 9, output_path _unary/one/00000042.jpg", r)
	}
	if _, err := os.Stat(filepath.Join(out, "_unary", "one", "00000042.jpg")); err != nil {
		t.Error(err)
	}
	_, err = c.DetectFrame(ctx, &pb.DetectFrameRequest{Name: "one", Frame: &pb.Frame{Data: []byte("junk")}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("junk frame: %v, want InvalidArgument", err)
	}
	_, err = c.DetectFrame(ctx, &pb.DetectFrameRequest{Name: "../up", Frame: &pb.Frame{Data: []byte("junk")}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad name: %v, want InvalidArgument", err)
	}
}
