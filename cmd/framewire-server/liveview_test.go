package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/capture"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream"
)

const megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"

// boxRGB is the colour BlazeFace's "face" boxes (class 0) are drawn in.
var boxRGB = [3]int{235, 179, 35}

// pausingSource sends the first n frames of src, then waits for release
// before it ends. Its first Next closes started and waits for gate.
type pausingSource struct {
	src                    stream.FrameSource
	n, sent                int
	opened                 bool
	started, gate, release chan struct{}
}

func (p *pausingSource) Next(ctx context.Context) (*pb.Frame, error) {
	if !p.opened {
		p.opened = true
		close(p.started)
		select {
		case <-p.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p.sent == p.n {
		select {
		case <-p.release:
		case <-ctx.Done():
		}
		return nil, io.EOF
	}
	p.sent++
	return p.src.Next(ctx)
}

// liveStreams is the part of /api/streams this test reads.
type liveStreams struct {
	Streams []struct {
		Name      string `json:"name"`
		Processed int64  `json:"processed"`
		Viewers   int    `json:"viewers"`
		Last      *struct {
			Seq        int64 `json:"seq"`
			Detections []struct {
				Label string     `json:"label"`
				Box   [4]float64 `json:"box"`
			} `json:"detections"`
		} `json:"last"`
	} `json:"streams"`
}

// waitFor calls cond until it returns true, failing the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		<-tick.C
	}
}

// TestLiveViewInHeadlessChromium streams Megamind.avi through BlazeFace
// with the live view open in headless Chromium: the page lists the stream,
// its image updates, and a screenshot shows the face box drawn where the
// latest detection says. FRAMEWIRE_LIVEVIEW_PNG=file keeps the screenshot
// (docs/liveview.png is made this way).
func TestLiveViewInHeadlessChromium(t *testing.T) {
	if _, err := os.Stat(megamind); err != nil {
		t.Skipf("needs opencv-doc's Megamind.avi: %v", err)
	}
	if _, err := os.Stat(detect.DefaultModelFile(detect.KindBlazeFace)); err != nil {
		t.Skipf("needs the BlazeFace model (scripts/install-models.sh): %v", err)
	}
	b := newBrowser(t, 1000, 860)
	r := startRun(t, "--model", "blazeface", "--workers", "2")
	api := "http://" + r.httpAddr

	video, err := capture.Open(megamind, capture.Options{MaxFPS: 15})
	if err != nil {
		t.Fatal(err)
	}
	defer video.Close()
	conn, err := grpc.NewClient(r.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const n = 60
	src := &pausingSource{src: video, n: n, started: make(chan struct{}), gate: make(chan struct{}), release: make(chan struct{})}
	ran := make(chan error, 1)
	go func() {
		_, err := stream.NewClient(pb.NewImageProcedureClient(conn)).Run(context.Background(), src, stream.ClientConfig{
			Header: &pb.StreamHeader{Name: "Megamind", Source: "Megamind.avi", FrameCount: video.Info().FrameCount, Window: 4},
		})
		ran <- err
	}()
	defer func() {
		close(src.release)
		if err := <-ran; err != nil {
			t.Errorf("stream: %v", err)
		}
	}()
	<-src.started // the stream is open

	var list liveStreams
	readStreams := func() {
		t.Helper()
		resp, err := http.Get(api + "/api/streams")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		list = liveStreams{}
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Streams) != 1 {
			t.Fatalf("/api/streams: %+v %v", list, err)
		}
	}

	// The page lists the stream and subscribes to its frames.
	b.open(api + "/")
	waitFor(t, 20*time.Second, "the page to show the stream and watch it", func() bool {
		readStreams()
		return list.Streams[0].Viewers > 0
	})
	close(src.gate)

	// The image updates: its pixels change as frames arrive.
	const fingerprint = `(() => {
	  const img = document.querySelector('.stream[data-name="Megamind"] img');
	  if (!img || !img.complete || img.naturalWidth === 0) return "";
	  const c = document.createElement("canvas");
	  c.width = 48; c.height = 36;
	  const g = c.getContext("2d");
	  g.drawImage(img, 0, 0, c.width, c.height);
	  let h = 7;
	  for (const v of g.getImageData(0, 0, c.width, c.height).data) h = (h * 31 + v) % 1000000007;
	  return String(h);
	})()`
	seen := map[string]bool{}
	waitFor(t, 20*time.Second, "three different images in the page", func() bool {
		var fp string
		b.eval(fingerprint, &fp)
		if fp != "" {
			seen[fp] = true
		}
		return len(seen) >= 3
	})

	// The stream pauses after n frames: the page's last image is frame n-1.
	waitFor(t, 30*time.Second, fmt.Sprintf("%d frames processed", n), func() bool {
		readStreams()
		return list.Streams[0].Processed == n
	})
	last := list.Streams[0].Last
	if last == nil || last.Seq != n-1 || len(last.Detections) == 0 || last.Detections[0].Label != "face" {
		t.Fatalf("latest result %+v, want frame %d with a face", last, n-1)
	}
	var text string
	waitFor(t, 10*time.Second, "the page to show the latest result", func() bool {
		b.eval(`document.querySelector('.stream[data-name="Megamind"]').innerText`, &text)
		return strings.Contains(text, fmt.Sprintf("frame %d", n-1)) && strings.Contains(text, "face 0.")
	})
	if !strings.Contains(text, "fps") || !strings.Contains(text, fmt.Sprintf("%d processed", n)) {
		t.Errorf("card text lacks fps or counts:\n%s", text)
	}

	// The screenshot shows the box where the latest detection says.
	var place struct{ Left, Top, Width, NaturalWidth float64 }
	b.eval(`(() => { const i = document.querySelector('.stream[data-name="Megamind"] img'); const r = i.getBoundingClientRect();
	  return {left: r.left, top: r.top, width: r.width, naturalWidth: i.naturalWidth}; })()`, &place)
	box := last.Detections[0].Box
	var shot []byte
	var onEdges float64
	waitFor(t, 10*time.Second, "a screenshot with the face box drawn", func() bool {
		shot = b.screenshot()
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		s := place.Width / place.NaturalWidth
		onEdges = boxEdgeShare(img, place.Left+box[0]*s, place.Top+box[1]*s, box[2]*s, box[3]*s)
		return onEdges >= 0.9
	})
	t.Logf("frame %d: box %v; %.0f%% of the points on its edges are box-coloured in the screenshot", last.Seq, box, 100*onEdges)
	if path := os.Getenv("FRAMEWIRE_LIVEVIEW_PNG"); path != "" {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// boxEdgeShare samples the left and right edges of the screen rectangle
// (x, y, w, h) and returns the share of samples with a box-coloured pixel
// within 3 pixels.
func boxEdgeShare(img image.Image, x, y, w, h float64) float64 {
	const samples = 20
	hits := 0
	for _, ex := range []float64{x, x + w} {
		for i := range samples {
			// The middle 60% of the edge, clear of the caption.
			sy := int(y + h*(0.2+0.6*float64(i)/(samples-1)))
			for dx := -3; dx <= 3; dx++ {
				if boxColoured(img.At(int(ex)+dx, sy)) {
					hits++
					break
				}
			}
		}
	}
	return float64(hits) / (2 * samples)
}

func boxColoured(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, g, b, _ := c.RGBA()
	for i, v := range []uint32{r >> 8, g >> 8, b >> 8} {
		if d := int(v) - boxRGB[i]; d < -45 || d > 45 {
			return false
		}
	}
	return true
}
