package server

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
)

// namedFrames are PNG frames named photo-<i>.png with a position, frame
// junk being undecodable.
type namedFrames struct {
	t       *testing.T
	n, next int
	junk    int
}

func (g *namedFrames) Next(context.Context) (*pb.Frame, error) {
	if g.next >= g.n {
		return nil, io.EOF
	}
	i := g.next
	g.next++
	f := &pb.Frame{Seq: int64(i), Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(g.t, 32, 24, color.Gray{Y: uint8(9 * i)})}
	if i == g.junk {
		f.Data = []byte("not an image")
	}
	pos := int64(i) * 40000
	f.SourceName, f.PositionUs = fmt.Sprintf("photo-%d.png", i), &pos
	return f, nil
}

// photoLine is what these tests read of a predictions line.
type photoLine struct {
	Source     string `json:"source"`
	PositionUs *int64 `json:"position_us"`
	Image      string `json:"image"`
	Error      string `json:"error"`
}

// predictionRecords reads a stream's predictions.jsonl.
func predictionRecords(t *testing.T, path string) []photoLine {
	t.Helper()
	var out []photoLine
	for _, l := range readLines(t, path) {
		var r photoLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}

func TestLinesNameTheSourceFileAndPosition(t *testing.T) {
	for _, tracked := range []bool{false, true} {
		t.Run(fmt.Sprintf("track=%v", tracked), func(t *testing.T) {
			out := t.TempDir()
			c := startServer(t, out)
			hdr := &pb.StreamHeader{Name: "photos", Source: "photos/", FrameCount: 4, Options: &pb.StreamOptions{Track: tracked}}
			sum, err := stream.NewClient(c).Run(context.Background(), &namedFrames{t: t, n: 4, junk: 2}, stream.ClientConfig{Header: hdr})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Processed != 3 || sum.Invalid != 1 {
				t.Errorf("got processed %d invalid %d, want 3 and 1", sum.Processed, sum.Invalid)
			}
			recs := predictionRecords(t, filepath.Join(out, "photos", folder.PredictionsFile))
			if len(recs) != 4 {
				t.Fatalf("got %d lines, want 4", len(recs))
			}
			for i, r := range recs {
				if want := fmt.Sprintf("photo-%d.png", i); r.Source != want {
					t.Errorf("line %d: got source %q, want %q", i, r.Source, want)
				}
				if r.PositionUs == nil || *r.PositionUs != int64(i)*40000 {
					t.Errorf("line %d: got position_us %v, want %d", i, r.PositionUs, i*40000)
				}
				if i == 2 {
					if !strings.HasPrefix(r.Error, "photo-2.png: bad frame") {
						t.Errorf("line 2: got error %q, want it to start with the file's name", r.Error)
					}
					continue
				}
				if _, err := os.Stat(filepath.Join(out, "photos", r.Image)); r.Image == "" || err != nil {
					t.Errorf("line %d: image %q: %v", i, r.Image, err)
				}
			}
		})
	}
}
