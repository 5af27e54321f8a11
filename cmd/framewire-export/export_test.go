package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/stream"
)

const vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// firstFrames passes on the first n frames of a source.
type firstFrames struct {
	src  stream.FrameSource
	n, i int
}

func (f *firstFrames) Next(ctx context.Context) (*pb.Frame, error) {
	if f.i >= f.n {
		return nil, io.EOF
	}
	f.i++
	return f.src.Next(ctx)
}

// realStream streams the first 12 frames of vtest.avi through the server's
// default model (NanoDet) and returns the stream's folder.
func realStream(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(vtest); err != nil {
		t.Skipf("needs opencv-doc's vtest.avi (apt-get install opencv-doc): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := serverproc.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	srv, err := serverproc.Start(ctx, bin, "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Kill()
	video, err := capture.Open(vtest, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer video.Close()
	conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = stream.NewClient(pb.NewImageProcedureClient(conn)).Run(ctx, &firstFrames{src: video, n: 12},
		stream.ClientConfig{Header: &pb.StreamHeader{Name: "walk", Source: "vtest.avi", Options: &pb.StreamOptions{Track: true}}})
	if err != nil {
		t.Fatalf("stream: %v\n%s", err, srv.Log())
	}
	return filepath.Join(out, "walk")
}

// exported runs framewire-export and returns what it wrote to stdout.
func exported(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("framewire-export %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// Each format's exact layout, on a real stream's output, checked against
// the predictions it came from.
func TestExportFormatsOfARealStream(t *testing.T) {
	dir := realStream(t)
	recs, err := readRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	var dets int
	for _, r := range recs {
		dets += len(r.Detections)
	}
	if len(recs) != 12 || dets == 0 {
		t.Fatalf("%d frames with %d detections, want 12 frames with people found", len(recs), dets)
	}
	first := recs[0].Detections[0]
	t.Run("coco", func(t *testing.T) {
		var results []cocoResult
		if err := json.Unmarshal([]byte(exported(t, "--format", "coco", dir)), &results); err != nil {
			t.Fatal(err)
		}
		if len(results) != dets || results[0].ImageID != recs[0].Seq || results[0].BBox != first.Box {
			t.Errorf("%d results, first %+v; want %d, the first box %v of frame %d", len(results), results[0], dets, first.Box, recs[0].Seq)
		}
		for _, r := range results {
			if r.CategoryID != 1 && first.Label == "person" && r.Score > 0.6 {
				t.Errorf("a confident person has category %d, want COCO's 1", r.CategoryID)
			}
		}
	})
	t.Run("mot", func(t *testing.T) {
		lines := strings.Split(strings.TrimSpace(exported(t, "--format", "mot", dir)), "\n")
		line := regexp.MustCompile(`^\d+,(-1|\d+),-?\d+\.\d\d,-?\d+\.\d\d,\d+\.\d\d,\d+\.\d\d,\d\.\d{4},-1,-1,-1$`)
		id := first.TrackID
		if id == 0 {
			id = -1
		}
		want := fmt.Sprintf("%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1", recs[0].Seq+1, id, first.Box[0], first.Box[1], first.Box[2], first.Box[3], first.Score)
		if len(lines) != dets || lines[0] != want {
			t.Errorf("%d lines, first %q; want %d, first %q", len(lines), lines[0], dets, want)
		}
		for _, l := range lines {
			if !line.MatchString(l) {
				t.Errorf("not a MOTChallenge det line: %q", l)
			}
		}
	})
	t.Run("csv", func(t *testing.T) {
		lines := strings.Split(strings.TrimSpace(exported(t, "--format", "csv", dir)), "\n")
		header := "seq,image,source,position_us,label,class_id,score,x,y,width,height,track_id"
		if len(lines) != dets+1 || lines[0] != header || !strings.HasPrefix(lines[1], fmt.Sprintf("%d,%s,", recs[0].Seq, recs[0].Image)) {
			t.Errorf("%d lines starting %q; want the header and %d rows, the first for frame %d", len(lines), lines[:2], dets, recs[0].Seq)
		}
	})
	t.Run("yolo", func(t *testing.T) {
		labels := filepath.Join(t.TempDir(), "labels")
		exported(t, "--format", "yolo", "--out", labels, dir)
		txt, err := os.ReadFile(filepath.Join(labels, strings.TrimSuffix(recs[0].Image, ".jpg")+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		w, h := float32(recs[0].Width), float32(recs[0].Height)
		want := fmt.Sprintf("%d %.6f %.6f %.6f %.6f", first.ClassID, (first.Box[0]+first.Box[2]/2)/w, (first.Box[1]+first.Box[3]/2)/h, first.Box[2]/w, first.Box[3]/h)
		if got := strings.Split(string(txt), "\n")[0]; got != want {
			t.Errorf("first label line %q, want %q", got, want)
		}
		classes, _ := os.ReadFile(filepath.Join(labels, "classes.txt"))
		if !strings.HasPrefix(string(classes), "person\n") {
			t.Errorf("classes.txt starts %q, want person first", classes)
		}
	})
}

func TestCOCOCategories(t *testing.T) {
	for _, c := range []struct {
		d    record.Box
		want int
	}{
		{record.Box{Label: "person", ClassID: 0}, 1},
		{record.Box{Label: "toothbrush", ClassID: 79}, 90},
		{record.Box{Label: "stop sign", ClassID: 11}, 13},
		{record.Box{Label: "face", ClassID: 0}, 1},
		{record.Box{Label: "widget", ClassID: 4}, 5},
	} {
		if got := cocoCategory(c.d); got != c.want {
			t.Errorf("cocoCategory(%s #%d) = %d, want %d", c.d.Label, c.d.ClassID, got, c.want)
		}
	}
}
