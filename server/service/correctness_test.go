package service

import (
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/serving"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// runStream streams n grey frames under hdr and returns the summary.
func runStream(t *testing.T, c pb.ImageProcedureClient, hdr *pb.StreamHeader, n int) (*stream.Summary, error) {
	t.Helper()
	return stream.NewClient(c).Run(context.Background(), grayFrames(t, n), stream.ClientConfig{Header: hdr})
}

// snapshot reads every file of dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s: %s changed", what, name)
		}
	}
}

// A restarted live source is a new run: it never skips frames as done and
// never touches the earlier run's output; it writes to <name>-2.
func TestRestartedLiveRunIsNewAndLeavesTheEarlierOne(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	live := func() *pb.StreamHeader {
		return &pb.StreamHeader{Name: "cam", Live: true, Exist: pb.ExistPolicy_EXIST_INCREMENT}
	}
	if _, err := runStream(t, c, live(), 20); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, filepath.Join(out, "cam"))
	sum, err := runStream(t, c, live(), 12)
	if err != nil {
		t.Fatal(err)
	}
	// A live feed drops frames the server is too busy for; none is
	// skipped as done.
	if sum.Read != 12 || sum.Skipped != 0 || sum.Sent+sum.Dropped != 12 || sum.Processed != sum.Sent || sum.Sent == 0 {
		t.Errorf("second live run: read %d, sent %d, dropped %d, skipped %d, processed %d; want 12 read, none skipped, every sent frame processed",
			sum.Read, sum.Sent, sum.Dropped, sum.Skipped, sum.Processed)
	}
	if got := sum.Ready.GetName(); got != "cam-2" {
		t.Errorf("second live run wrote to %q, want cam-2", got)
	}
	sameFiles(t, "the first run's folder", snapshot(t, filepath.Join(out, "cam")), first)
	if n := len(readLines(t, filepath.Join(out, "cam-2", folder.PredictionsFile))); int64(n) != sum.Processed {
		t.Errorf("cam-2 has %d lines, want %d", n, sum.Processed)
	}
	// Asked to resume, a new live run is refused rather than mixed in.
	hdr := live()
	hdr.Exist = pb.ExistPolicy_EXIST_RESUME
	_, err = runStream(t, c, hdr, 3)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "earlier live run") {
		t.Errorf("new live run asked to resume: %v, want FailedPrecondition naming the earlier live run", err)
	}
}

// A file resumes only its own run: the same header again skips what is
// done; other options are refused with what differs, or start afresh, or
// go to a new folder, as asked.
func TestRerunResumesOnlyTheSameRun(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	file := func(conf float32, exist pb.ExistPolicy) *pb.StreamHeader {
		return &pb.StreamHeader{Name: "clip", Source: "clip.avi", FrameCount: 15, SourceFingerprint: "f1",
			Options: &pb.StreamOptions{Conf: conf}, Exist: exist}
	}
	if _, err := runStream(t, c, file(0, pb.ExistPolicy_EXIST_RESUME), 15); err != nil {
		t.Fatal(err)
	}
	sum, err := runStream(t, c, file(0, pb.ExistPolicy_EXIST_RESUME), 15)
	if err != nil || sum.Skipped != 15 || sum.Sent != 0 || !sum.Ready.GetResumed() {
		t.Errorf("same run again: %v, skipped %d sent %d resumed %v; want skipped 15, sent 0, resumed", err, sum.Skipped, sum.Sent, sum.Ready.GetResumed())
	}
	_, err = runStream(t, c, file(0.5, pb.ExistPolicy_EXIST_RESUME), 15)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "conf 0 there, 0.5 now") {
		t.Errorf("other conf: %v, want FailedPrecondition saying conf 0 there, 0.5 now", err)
	}
	other := file(0, pb.ExistPolicy_EXIST_RESUME)
	other.SourceFingerprint = "f2"
	if _, err = runStream(t, c, other, 15); status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "source content") {
		t.Errorf("other file content: %v, want FailedPrecondition naming the source content", err)
	}
	sum, err = runStream(t, c, file(0.5, pb.ExistPolicy_EXIST_INCREMENT), 15)
	if err != nil || sum.Ready.GetName() != "clip-2" || sum.Processed != 15 {
		t.Errorf("increment: %v, name %q, processed %d; want clip-2, 15", err, sum.Ready.GetName(), sum.Processed)
	}
	sum, err = runStream(t, c, file(0.5, pb.ExistPolicy_EXIST_OVERWRITE), 15)
	if err != nil || sum.Ready.GetName() != "clip" || sum.Processed != 15 || sum.Skipped != 0 {
		t.Errorf("overwrite: %v, name %q, processed %d, skipped %d; want clip, 15, 0", err, sum.Ready.GetName(), sum.Processed, sum.Skipped)
	}
	var m record.Run
	b, _ := os.ReadFile(filepath.Join(out, "clip", folder.ManifestFile))
	if err := json.Unmarshal(b, &m); err != nil || m.Options.Conf != 0.5 || m.Model.Kind != "mean" {
		t.Errorf("manifest after overwrite: %s (%v), want conf 0.5, model mean", b, err)
	}
	if n := len(readLines(t, filepath.Join(out, "clip", folder.PredictionsFile))); n != 15 {
		t.Errorf("after overwrite clip has %d lines, want 15", n)
	}
}

// blockingFrames yields its first frame, then waits for ctx.
type blockingFrames struct {
	first []byte
	sent  bool
}

func (b *blockingFrames) Next(ctx context.Context) (*pb.Frame, error) {
	if !b.sent {
		b.sent = true
		return &pb.Frame{Seq: 0, Data: b.first}, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// Two clients with one name: the second is refused at once and does not
// retry. A reconnect of the first client's run, while its old call still
// holds the name (a half-open connection), takes the stream over.
func TestOneNameOneClientButTheSameRunTakesOver(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	first := make(chan error, 1)
	firstResult := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, err := stream.NewClient(c).Run(ctx, &blockingFrames{first: streamtest.JPEG(t, 8, 8)}, stream.ClientConfig{
			Header:   &pb.StreamHeader{Name: "shared", RunId: "run-a"},
			OnResult: func(*pb.FrameResult, time.Duration) { firstResult <- struct{}{} },
		})
		first <- err
	}()
	<-firstResult // the first call holds the name now
	retried := false
	_, err := stream.NewClient(c).Run(context.Background(), grayFrames(t, 3), stream.ClientConfig{
		Header:      &pb.StreamHeader{Name: "shared", RunId: "run-b"},
		MaxRetries:  5,
		OnReconnect: func(int, time.Duration, error) { retried = true },
	})
	if status.Code(err) != codes.AlreadyExists || retried {
		t.Errorf("second client: %v (retried %v), want AlreadyExists without retrying", err, retried)
	}
	sum, err := stream.NewClient(c).Run(context.Background(), grayFrames(t, 3), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: "shared", RunId: "run-a"},
	})
	// Frame 0 was recorded by the first call: the run resumes after it.
	if err != nil || sum.Processed != 2 || sum.Skipped != 1 {
		t.Errorf("reconnect of the same run: %v, processed %d, skipped %d; want it to take over and process 2, skip 1", err, sum.Processed, sum.Skipped)
	}
	if err := <-first; status.Code(err) != codes.Aborted {
		t.Errorf("the taken-over call ended with %v, want Aborted", err)
	}
}

// A unary call never touches a stream's output.
func TestDetectFrameLeavesStreamsAlone(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	if _, err := runStream(t, c, &pb.StreamHeader{Name: "m"}, 8); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, filepath.Join(out, "m"))
	_, err := c.DetectFrame(context.Background(), &pb.DetectFrameRequest{Name: "m", Frame: &pb.Frame{
		Seq: 5, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 64, 48, color.Gray{Y: 200})}})
	if err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "stream m after DetectFrame", snapshot(t, filepath.Join(out, "m")), before)
	if _, err := os.Stat(filepath.Join(out, core.UnaryName, "m", "00000005.jpg")); err != nil {
		t.Errorf("the unary image is not in %s: %v", core.UnaryName, err)
	}
}

// A unary call has no shared memory: a frame that says it is there is
// refused, not read as an empty frame.
func TestDetectFrameRefusesSharedFrames(t *testing.T) {
	c := startServer(t, t.TempDir())
	_, err := c.DetectFrame(context.Background(), &pb.DetectFrameRequest{Name: "m", Frame: &pb.Frame{
		Seq: 1, Encoding: pb.Encoding_ENCODING_RAW_BGR, Width: 2, Height: 2, Shared: &pb.SharedSlot{Index: 0, Length: 12}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "shared memory") {
		t.Errorf("DetectFrame of a shared frame: %v, want InvalidArgument naming shared memory", err)
	}
}

// Calls that never send a header hold no stream slot and end at the
// header timeout.
func TestHeaderlessCallsHoldNoSlot(t *testing.T) {
	m := serve(t, t.TempDir(), Config{MaxStreams: 2, Stream: serving.Config{HeaderTimeout: 500 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var silent []pb.ImageProcedure_StreamFramesClient
	for range 4 {
		call, err := m.rpc.StreamFrames(ctx)
		if err != nil {
			t.Fatal(err)
		}
		silent = append(silent, call)
	}
	if _, err := runStream(t, m.rpc, &pb.StreamHeader{Name: "real"}, 5); err != nil {
		t.Errorf("a stream beside 4 silent calls with --max-streams 2: %v", err)
	}
	for i, call := range silent {
		if _, err := call.Recv(); status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("silent call %d ended with %v, want DeadlineExceeded", i, err)
		}
	}
}

// The client's credentials never reach the server's records.
func TestSourceSecretsAreNotRecorded(t *testing.T) {
	out := t.TempDir()
	m := serve(t, out, Config{})
	hdr := &pb.StreamHeader{Name: "clip", Source: "http://admin:secret@host/clip.avi?token=t0k"}
	if _, err := runStream(t, m.rpc, hdr, 2); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "clip", folder.ManifestFile))
	for what, text := range map[string]string{"run.json": string(b), "log": m.log.String()} {
		if strings.Contains(text, "secret") || strings.Contains(text, "t0k") {
			t.Errorf("%s holds the secret:\n%s", what, text)
		}
	}
}

// Images, predictions and manifest get one mode, from the umask.
func TestOutputFilesShareTheUmaskMode(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	out := t.TempDir()
	if _, err := runStream(t, startServer(t, out), &pb.StreamHeader{Name: "modes"}, 1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00000000.jpg", folder.PredictionsFile, folder.ManifestFile} {
		st, err := os.Stat(filepath.Join(out, "modes", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o640 {
			t.Errorf("%s has mode %o, want 640 (0666 under umask 027)", name, got)
		}
	}
}

// A resumed tracked run counts its tracks over the whole run: those the
// folder recorded before, and the new ones (numbered above them).
func TestResumedRunCountsTheRecordedTracks(t *testing.T) {
	c := startServer(t, t.TempDir())
	hdr := func() *pb.StreamHeader {
		return &pb.StreamHeader{Name: "walk", Source: "walk.avi", FrameCount: 15, SourceFingerprint: "f1",
			Options: &pb.StreamOptions{Track: true}}
	}
	first, err := runStream(t, c, hdr(), 10)
	if err != nil {
		t.Fatal(err)
	}
	again, err := runStream(t, c, hdr(), 15)
	if err != nil {
		t.Fatal(err)
	}
	// The fake processor finds one "thing" a frame, in one place: one
	// track in the first call, and one new track (id 2) after the resume.
	if got := first.Server.GetTracks()["thing"]; got != 1 {
		t.Errorf("first call: %d things tracked, want 1", got)
	}
	if got := again.Server.GetTracks()["thing"]; again.Skipped != 10 || got != 2 {
		t.Errorf("resumed call: skipped %d, %d things tracked; want 10 skipped and 2 tracks in the run (1 recorded, 1 new)", again.Skipped, got)
	}
}
