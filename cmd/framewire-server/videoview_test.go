package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/framewire/framewire/capture"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

const vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// firstFrames gives the first n frames of src, then ends.
type firstFrames struct {
	src     stream.FrameSource
	n, sent int
}

func (f *firstFrames) Next(ctx context.Context) (*pb.Frame, error) {
	if f.sent == f.n {
		return nil, io.EOF
	}
	f.sent++
	return f.src.Next(ctx)
}

// streamClip streams the first n frames of vtest.avi as name, asking in
// its header for a video.
func streamClip(t *testing.T, grpcAddr, name string, n int) {
	t.Helper()
	src, err := capture.Open(vtest, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = stream.NewClient(pb.NewImageProcedureClient(conn)).Run(context.Background(), &firstFrames{src: src, n: n}, stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, Source: "vtest.avi", FrameCount: int64(n), Window: 4, Video: proto.Bool(true)},
	})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
}

// TestVideoPlayerInHeadlessChromium streams 50 frames of vtest.avi to a
// server without --video whose client asks for a video in its header;
// the live view's player plays the segments in Debian's Chromium
// (readyState at least HAVE_CURRENT_DATA, the time moving), and the
// finished video downloads as one H.264 MP4 of the 50 frames.
// FRAMEWIRE_VIDEOVIEW_PNG=file keeps a screenshot (docs/liveview-video.png).
func TestVideoPlayerInHeadlessChromium(t *testing.T) {
	if _, err := os.Stat(vtest); err != nil {
		t.Skipf("needs opencv-doc's vtest.avi: %v", err)
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("needs ffmpeg (scripts/setup.sh installs it)")
	}
	b := newBrowser(t, 760, 880)
	model := "mean"
	png := os.Getenv("FRAMEWIRE_VIDEOVIEW_PNG")
	if _, err := os.Stat(detect.DefaultModelFile(detect.KindDefault)); png != "" && err == nil {
		model = detect.KindDefault // boxes in the screenshot
	}
	r := startRun(t, "--model", model, "--video-segment", "2s")
	streamClip(t, r.grpcAddr, "clip", 50)
	api := "http://" + r.httpAddr

	b.open(api + "/")
	var state struct {
		Ready   int     `json:"ready"`
		Time    float64 `json:"time"`
		Width   int     `json:"width"`
		Links   string  `json:"links"`
		Problem string  `json:"problem"`
	}
	waitFor(t, 30*time.Second, "the player to play the video", func() bool {
		b.eval(`(() => { const c = document.querySelector('.stream[data-video="clip"]'); if (!c) return {};
		  const v = c.querySelector("video"); return {ready: v.readyState, time: v.currentTime, width: v.videoWidth,
		  links: c.querySelector(".stats").innerText, problem: v.error ? v.error.message : c.querySelector(".meta").innerText}; })()`, &state)
		return state.Ready >= 2 && state.Time > 0
	})
	if state.Width != 768 || !strings.Contains(state.Links, "download MP4") {
		t.Errorf("player: %+v; want 768 pixels wide and a download link", state)
	}
	t.Logf("player: readyState %d at %.2f s, %d px wide; %s", state.Ready, state.Time, state.Width, state.Problem)
	if png != "" {
		if err := os.WriteFile(png, b.screenshot(), 0o644); err != nil {
			t.Error(err)
		}
	}

	file := filepath.Join(t.TempDir(), "clip.mp4")
	download(t, api+"/video/clip/video.mp4", file)
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
		"-show_entries", "stream=codec_name,nb_read_frames", "-of", "json", file).Output()
	var probe struct {
		Streams []struct {
			Codec  string `json:"codec_name"`
			Frames string `json:"nb_read_frames"`
		}
	}
	if err != nil || json.Unmarshal(out, &probe) != nil || len(probe.Streams) != 1 ||
		probe.Streams[0].Codec != "h264" || probe.Streams[0].Frames != "50" {
		t.Errorf("downloaded MP4: %s %v; want h264 with 50 frames", out, err)
	}
}

// download saves url's body in file.
func download(t *testing.T, url, file string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVideoPlayerFollowsASizeChange streams 30 frames at 320x240, then 30
// at 640x480 (a new encoder, segments of another size), 100 ms apart: the
// live view's player plays both parts in Chromium, each at its own size,
// and the whole video downloads as one MP4 at 640x480 (encoded again).
func TestVideoPlayerFollowsASizeChange(t *testing.T) {
	b := newBrowser(t, 760, 880)
	r := startRun(t, "--model", "mean", "--video-segment", "1s")
	var frames streamtest.Frames
	for i := range 60 {
		w, h := 320, 240
		if i >= 30 {
			w, h = 640, 480
		}
		frames = append(frames, &pb.Frame{Seq: int64(i), Encoding: pb.Encoding_ENCODING_JPEG, Data: streamtest.JPEG(t, w, h),
			CaptureUnixNano: time.Now().UnixNano(), PositionUs: proto.Int64(int64(i) * 100_000)})
	}
	conn, err := grpc.NewClient(r.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = stream.NewClient(pb.NewImageProcedureClient(conn)).Run(context.Background(), &frames, stream.ClientConfig{
		Header: &pb.StreamHeader{Name: "sizes", Source: "sizes", FrameCount: 60, Window: 4, Video: proto.Bool(true)},
	})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	b.open("http://" + r.httpAddr + "/")
	for _, at := range []struct {
		seconds float64
		width   int
	}{{1.5, 320}, {5.5, 640}} {
		var state struct {
			Ready, Width int
			Time         float64
			Problem      string
		}
		waitFor(t, 30*time.Second, fmt.Sprintf("the player to show %d pixels wide at %.1f s", at.width, at.seconds), func() bool {
			b.eval(fmt.Sprintf(`(() => { const c = document.querySelector('.stream[data-video="sizes"]'); if (!c) return {};
			  const v = c.querySelector("video"); if (v.readyState >= 1 && Math.abs(v.currentTime - %[1]f) > 0.2) v.currentTime = %[1]f;
			  return {Ready: v.readyState, Width: v.videoWidth, Time: v.currentTime, Problem: v.error ? v.error.message : ""}; })()`, at.seconds), &state)
			if state.Problem != "" {
				t.Fatalf("player error: %s", state.Problem)
			}
			return state.Ready >= 2 && state.Width == at.width
		})
		t.Logf("at %.2f s: %d pixels wide", state.Time, state.Width)
	}
	file := filepath.Join(t.TempDir(), "sizes.mp4")
	download(t, "http://"+r.httpAddr+"/video/sizes/video.mp4", file)
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
		"-show_entries", "stream=codec_name,nb_read_frames,width,height:format=duration", "-of", "csv=p=0", file).CombinedOutput()
	if got := strings.TrimSpace(string(out)); err != nil || got != "h264,640,480,60\n6.000000" {
		t.Errorf("downloaded MP4: %q %v; want h264 640x480, 60 frames, 6 s", got, err)
	}
}
