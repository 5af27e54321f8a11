package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/stream"
)

// monitored is a whole server (server.New) on the mean model: gRPC over
// bufconn, HTTP over loopback, the log in memory.
type monitored struct {
	rpc  pb.ImageProcedureClient
	http *httptest.Server
	log  *logLines
	srv  *Server
}

func startMonitored(t *testing.T) *monitored {
	t.Helper()
	return startMonitoredAt(t, t.TempDir())
}

// startMonitoredAt serves the mean model, writing to out.
func startMonitoredAt(t *testing.T, out string) *monitored {
	t.Helper()
	return startServing(t, Config{OutDir: out})
}

// startServing serves cfg (on the mean model and 2 workers unless it says
// otherwise) until the test ends.
func startServing(t *testing.T, cfg Config) *monitored {
	t.Helper()
	m := &monitored{log: &logLines{ended: make(chan string, 16)}}
	if cfg.Model.Kind == "" {
		cfg.Model.Kind = detect.KindMean
	}
	cfg.Workers = max(cfg.Workers, 2)
	cfg.Log = slog.New(slog.NewTextHandler(m.log, nil))
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.srv = srv
	lis := bufconn.Listen(1 << 20)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis) }()
	m.http = httptest.NewServer(srv.HTTPHandler())
	t.Cleanup(func() { m.http.Close(); cancel(); <-served })
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(32<<20), grpc.MaxCallRecvMsgSize(16<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	m.rpc = pb.NewImageProcedureClient(conn)
	return m
}

// logLines collects log output and passes on each "stream ended" line.
type logLines struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ended chan string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	if line := string(p); strings.Contains(line, `msg="stream ended"`) {
		l.ended <- line
	}
	return len(p), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitEnded returns the "stream ended" log line of the next stream to end.
func (l *logLines) waitEnded(t *testing.T) string {
	t.Helper()
	select {
	case line := <-l.ended:
		return line
	case <-time.After(10 * time.Second):
		t.Fatalf("no stream ended within 10 s; log:\n%s", l.String())
		return ""
	}
}

// grayFrames yields n PNG frames, frame i a flat grey of level 2*i; every
// dropEvery-th frame says one frame was dropped before it (0 = never).
// started, when set, is closed at the first Next, and gate, when set, is
// waited for before the first frame.
type grayFrames struct {
	t         *testing.T
	n, next   int
	dropEvery int
	started   chan struct{}
	gate      chan struct{}
	junk      map[int]bool // frames sent as undecodable bytes
}

func (g *grayFrames) Next(ctx context.Context) (*pb.Frame, error) {
	if g.next == 0 && g.started != nil {
		close(g.started)
		<-g.gate
	}
	if g.next >= g.n {
		return nil, io.EOF
	}
	i := g.next
	g.next++
	f := &pb.Frame{Seq: int64(i), CaptureUnixNano: time.Now().UnixNano(), Encoding: pb.Encoding_ENCODING_PNG,
		Data: pngBytes(g.t, 32, 24, color.Gray{Y: uint8(2 * i)})}
	if g.junk[i] {
		f.Data = []byte("junk")
	}
	if g.dropEvery > 0 && i%g.dropEvery == 0 {
		f.DroppedBefore = 1
	}
	return f, nil
}

// metricValue returns the value of the sample named exactly series (name
// and labels as exposed) in a Prometheus text exposition.
func metricValue(t *testing.T, exposition, series string) float64 {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(exposition))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && name == series {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return v
		}
	}
	t.Fatalf("no sample %s in /metrics", series)
	return 0
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v\n%s", url, resp.Status, err, b)
	}
	return string(b)
}

func TestMetricsAfterA100FrameStream(t *testing.T) {
	m := startMonitored(t)
	const n = 100
	sum, err := stream.NewClient(m.rpc).Run(context.Background(), &grayFrames{t: t, n: n, dropEvery: 10},
		stream.ClientConfig{Header: &pb.StreamHeader{Name: "m100", Source: "test frames", FrameCount: n}})
	if err != nil || sum.Processed != n {
		t.Fatalf("stream: %v, %+v", err, sum)
	}
	ended := m.log.waitEnded(t)
	// A second stream with a bad frame, counted apart.
	_, err = stream.NewClient(m.rpc).Run(context.Background(), &grayFrames{t: t, n: 3, junk: map[int]bool{1: true}},
		stream.ClientConfig{Header: &pb.StreamHeader{Name: "bad"}})
	if err != nil {
		t.Fatal(err)
	}
	m.log.waitEnded(t)

	text := get(t, m.http.URL+"/metrics")
	for series, want := range map[string]float64{
		`framewire_frames_received_total{stream="m100"}`:            n,
		`framewire_frames_processed_total{stream="m100"}`:           n,
		`framewire_frames_failed_total{stream="m100"}`:              0,
		`framewire_frames_dropped_total{stream="m100"}`:             n / 10,
		`framewire_frames_received_total{stream="bad"}`:             3,
		`framewire_frames_processed_total{stream="bad"}`:            2,
		`framewire_frames_failed_total{stream="bad"}`:               1,
		`framewire_frame_duration_seconds_count`:                    n + 3,
		`framewire_stage_duration_seconds_count{stage="queue"}`:     n + 2,
		`framewire_stage_duration_seconds_count{stage="decode"}`:    n + 2,
		`framewire_stage_duration_seconds_count{stage="inference"}`: n + 2,
		`framewire_stage_duration_seconds_count{stage="annotate"}`:  n + 2,
		`framewire_stage_duration_seconds_count{stage="write"}`:     n + 2,
		`framewire_streams_active`:                                  0,
		`framewire_frames_in_flight`:                                0,
	} {
		if got := metricValue(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, series := range []string{
		`framewire_frame_duration_seconds_sum`,
		`framewire_stage_duration_seconds_sum{stage="decode"}`,
		`framewire_stage_duration_seconds_sum{stage="annotate"}`,
	} {
		if got := metricValue(t, text, series); got <= 0 {
			t.Errorf("%s = %v, want > 0", series, got)
		}
	}
	if in := metricValue(t, text, `framewire_grpc_received_bytes_total{method="StreamFrames"}`); in < float64(n*len(pngBytes(t, 32, 24, color.Gray{}))) {
		t.Errorf("received %v wire bytes, less than the frames' size", in)
	}
	if out := metricValue(t, text, `framewire_grpc_sent_bytes_total{method="StreamFrames"}`); out <= 0 {
		t.Errorf("sent %v wire bytes", out)
	}

	// The stream's start and end are logged once each, with its summary.
	log := m.log.String()
	if c := strings.Count(log, `msg="stream started" stream=m100 source="test frames"`); c != 1 {
		t.Errorf("%d start lines for m100 in\n%s", c, log)
	}
	for _, want := range []string{"stream=m100", "received=100", "processed=100", "failed=0", "dropped=10", "fps=", "duration=", "peer=bufconn"} {
		if !strings.Contains(ended, want) {
			t.Errorf("end line lacks %q: %s", want, ended)
		}
	}
}

// streamsJSON is the part of /api/streams the tests read.
type streamsJSON struct {
	Streams []struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		Processed int64  `json:"processed"`
		Viewers   int    `json:"viewers"`
		Last      *struct {
			Seq  int64 `json:"seq"`
			Mean float64
		} `json:"last"`
	} `json:"streams"`
}

func TestLiveViewServesNewestFramesAndNeverSlowsTheStream(t *testing.T) {
	m := startMonitored(t)
	const n = 100
	src := &grayFrames{t: t, n: n, started: make(chan struct{}), gate: make(chan struct{})}
	type outcome struct {
		sum *stream.Summary
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		// Only frame 0 is written: the others are encoded for the viewer alone.
		sum, err := stream.NewClient(m.rpc).Run(context.Background(), src, stream.ClientConfig{
			Header: &pb.StreamHeader{Name: "cam", Options: &pb.StreamOptions{SaveEvery: 1000}}})
		done <- outcome{sum, err}
	}()
	<-src.started // the stream is open on the server

	if resp, err := http.Get(m.http.URL + "/live/nosuch"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown stream: %v %v, want 404", resp.Status, err)
	}
	var list streamsJSON
	if err := json.Unmarshal([]byte(get(t, m.http.URL+"/api/streams")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Streams) != 1 || list.Streams[0].Name != "cam" {
		t.Fatalf("streams %+v, want cam", list)
	}

	// Two viewers: one reads, one never does. The response headers come
	// once the viewer is subscribed.
	reader, err := http.Get(m.http.URL + "/live/cam")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Body.Close()
	stalled, err := http.Get(m.http.URL + "/live/cam")
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Body.Close()
	mt, params, err := mime.ParseMediaType(reader.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" {
		t.Fatalf("content type %q: %v", reader.Header.Get("Content-Type"), err)
	}
	close(src.gate)

	// The stalled viewer does not hold the stream up.
	var res outcome
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the stream did not finish while a viewer stalled")
	}
	if res.err != nil || res.sum.Processed != n {
		t.Fatalf("stream: %v %+v", res.err, res.sum)
	}

	// The reading viewer got whole JPEGs, newest only, then the end.
	mr := multipart.NewReader(reader.Body, params["boundary"])
	var levels []int
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("part type %q", part.Header.Get("Content-Type"))
		}
		img, err := jpeg.Decode(part)
		if err != nil {
			t.Fatalf("part %d: %v", len(levels), err)
		}
		if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 24 {
			t.Errorf("part %d is %v", len(levels), b)
		}
		r, _, _, _ := img.At(16, 12).RGBA()
		levels = append(levels, int(r>>8))
	}
	t.Logf("the viewer got %d of %d frames; grey levels %v", len(levels), n, levels)
	if len(levels) == 0 {
		t.Fatal("the viewer got no frame")
	}
	// Frame i is grey 2*i: the last frame shown is (about) the last one.
	if last := levels[len(levels)-1]; last < 2*(n-1)-4 {
		t.Errorf("the last frame shown has grey %d, want about %d (frame %d)", last, 2*(n-1), n-1)
	}
	for i := 1; i < len(levels); i++ {
		if levels[i] < levels[i-1]-4 {
			t.Errorf("frames went backwards: %v", levels)
			break
		}
	}
	if len(levels) > n {
		t.Errorf("%d parts for %d frames", len(levels), n)
	}
	m.log.waitEnded(t)
	if err := json.Unmarshal([]byte(get(t, m.http.URL+"/api/streams")), &list); err != nil || len(list.Streams) != 0 {
		t.Errorf("after the end: %+v %v", list, err)
	}
}

func TestLiveViewPage(t *testing.T) {
	m := startMonitored(t)
	page := get(t, m.http.URL+"/")
	for _, want := range []string{"<title>framewire live</title>", `fetch("/api/streams"`, `"/live/"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if resp, err := http.Get(m.http.URL + "/nosuch"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nosuch: %v %v, want 404", resp.Status, err)
	}
}

// noiseFrames yields n raw 640x480 frames of random pixels, whose JPEGs
// are large (about 0.5 MB), so that a viewer that does not read fills its
// connection's buffers within a few frames.
type noiseFrames struct {
	n, next int
	px      []byte
	started chan struct{}
	gate    chan struct{}
}

func (s *noiseFrames) Next(ctx context.Context) (*pb.Frame, error) {
	if s.next == 0 {
		close(s.started)
		<-s.gate
	}
	if s.next >= s.n {
		return nil, io.EOF
	}
	s.next++
	return &pb.Frame{Seq: int64(s.next - 1), CaptureUnixNano: time.Now().UnixNano(),
		Encoding: pb.Encoding_ENCODING_RAW_BGR, Width: 640, Height: 480, Data: s.px}, nil
}

func TestStalledViewerDoesNotSlowTheStream(t *testing.T) {
	m := startMonitored(t)
	px := make([]byte, 640*480*3)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range px {
		px[i] = byte(rng.Uint32())
	}
	const n = 60
	src := &noiseFrames{n: n, px: px, started: make(chan struct{}), gate: make(chan struct{})}
	done := make(chan error, 1)
	var sum *stream.Summary
	go func() {
		var err error
		sum, err = stream.NewClient(m.rpc).Run(context.Background(), src, stream.ClientConfig{
			Header: &pb.StreamHeader{Name: "noise", Options: &pb.StreamOptions{SaveEvery: 1000}}})
		done <- err
	}()
	<-src.started
	stalled, err := http.Get(m.http.URL + "/live/noise") // never read
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Body.Close()
	close(src.gate)
	select {
	case err := <-done:
		if err != nil || sum.Processed != n {
			t.Fatalf("stream: %v %+v", err, sum)
		}
	case <-time.After(monitor.ViewerWriteTimeout / 2):
		t.Fatal("a stalled viewer held the stream up")
	}
	written := metricValue(t, get(t, m.http.URL+"/metrics"), `framewire_stage_duration_seconds_count{stage="annotate"}`)
	if written != n {
		t.Errorf("%v frames annotated for the viewer, want %d", written, n)
	}
}
