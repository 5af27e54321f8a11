package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// smallJPEG encodes a w x h grey JPEG.
func smallJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegBomb is a small JPEG whose header claims 65000x65000 pixels.
func jpegBomb(t testing.TB) []byte {
	b := smallJPEG(t, 16, 16)
	i := bytes.Index(b, []byte{0xff, 0xc0}) // SOF0: len(2) precision(1) height(2) width(2)
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(b[i+5:], 65000)
	binary.BigEndian.PutUint16(b[i+7:], 65000)
	return b
}

// pngBomb is a small PNG whose IHDR claims 100000x100000 pixels.
func pngBomb(t testing.TB) []byte {
	b := pngBytes(t, 4, 4, image.White.C)
	// 8-byte signature, then IHDR: length(4) "IHDR" width(4) height(4) ... crc(4)
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestHostileFramesArePerFrameErrors sends every kind of bad frame in one
// stream: each gets a precise per-frame error, good frames around them are
// processed, and nothing is written outside the output folder.
func TestHostileFramesArePerFrameErrors(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	c := startServer(t, out)
	good := smallJPEG(t, 32, 24)
	cases := []struct {
		name string
		f    *pb.Frame
		err  string // "" = processed
	}{
		{"good", &pb.Frame{Data: good}, ""},
		{"non-image bytes", &pb.Frame{Data: []byte("GIF89a or anything else")}, "not a readable JPEG"},
		{"truncated JPEG", &pb.Frame{Data: good[:len(good)-10]}, ""},
		{"zero bytes", &pb.Frame{}, "no image bytes"},
		{"raw BGR of the wrong size", &pb.Frame{Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: make([]byte, 100), Width: 10, Height: 10}, "needs 300 bytes, got 100"},
		{"raw BGR without size", &pb.Frame{Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: make([]byte, 300)}, "positive width and height"},
		{"raw BGR claiming a huge size", &pb.Frame{Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: make([]byte, 300), Width: 1 << 30, Height: 1 << 30}, "above the limit"},
		{"JPEG bomb", &pb.Frame{Data: jpegBomb(t)}, "65000x65000 is 4225000000 pixels, above the limit"},
		{"PNG bomb", &pb.Frame{Encoding: pb.Encoding_ENCODING_PNG, Data: pngBomb(t)}, "100000x100000"},
		{"PNG bytes labelled JPEG", &pb.Frame{Data: pngBytes(t, 4, 4, image.White.C)}, "not a readable JPEG"},
		{"unknown encoding", &pb.Frame{Encoding: 42, Data: good}, "unknown encoding 42"},
		{"good again", &pb.Frame{Data: good}, ""},
	}
	// The truncated JPEG keeps its header, so only the missing end tells.
	cases[2].err = "truncated"
	var frames []*pb.Frame
	for i, c := range cases {
		c.f.Seq = int64(i)
		frames = append(frames, c.f)
	}
	// Duplicate and out-of-order sequence numbers, then the stream goes on.
	n := int64(len(cases))
	frames = append(frames,
		&pb.Frame{Seq: n - 1, Data: good},
		&pb.Frame{Seq: 3, Data: good},
		&pb.Frame{Seq: n, Data: good})
	var results []*pb.FrameResult
	src := streamtest.Frames(frames)
	sum, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{
		Header:   &pb.StreamHeader{Name: "hostile"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { results = append(results, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(frames) {
		t.Fatalf("%d results for %d frames", len(results), len(frames))
	}
	for i, c := range cases {
		r := results[i]
		if c.err == "" && r.Error != "" || !strings.Contains(r.Error, c.err) {
			t.Errorf("%s: error %q, want one saying %q", c.name, r.Error, c.err)
		}
	}
	for i, want := range []string{"not above the previous", "not above the previous", ""} {
		r := results[len(cases)+i]
		if want == "" && r.Error != "" || !strings.Contains(r.Error, want) {
			t.Errorf("seq %d after the bad ones: error %q, want %q", r.Seq, r.Error, want)
		}
	}
	if sum.Processed != 3 || sum.Failed != int64(len(frames)-3) {
		t.Errorf("processed %d, failed %d", sum.Processed, sum.Failed)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("something was written beside the output folder: %v", entries)
	}
}

// TestHostileCallsGetAStatusAndTheServerSurvives breaks the stream
// protocol in every way a call can be broken; each gets a precise status,
// and a normal stream works afterwards.
func TestHostileCallsGetAStatusAndTheServerSurvives(t *testing.T) {
	c := startServer(t, t.TempDir())
	header := func(name string) *pb.StreamRequest {
		return &pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: &pb.StreamHeader{Name: name}}}
	}
	frame := &pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: &pb.Frame{Data: smallJPEG(t, 8, 8)}}}
	unknownOpts := &pb.StreamOptions{}
	unknownOpts.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
	unknownHdr := &pb.StreamHeader{Name: "u"}
	unknownHdr.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 77, protowire.VarintType), 1))
	huge := &pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: &pb.Frame{Data: make([]byte, 17<<20)}}}
	cases := []struct {
		name string
		msgs []*pb.StreamRequest
		code codes.Code
		msg  string
	}{
		{"no header first", []*pb.StreamRequest{frame}, codes.InvalidArgument, "first message of a stream must be a header"},
		{"a second header", []*pb.StreamRequest{header("a"), header("a")}, codes.InvalidArgument, "one header, then only frames"},
		{"unknown options", []*pb.StreamRequest{{Msg: &pb.StreamRequest_Header{Header: &pb.StreamHeader{Name: "o", Options: unknownOpts}}}}, codes.InvalidArgument, "fields this server does not know"},
		{"unknown header fields", []*pb.StreamRequest{{Msg: &pb.StreamRequest_Header{Header: unknownHdr}}}, codes.InvalidArgument, "fields this server does not know"},
		{"score out of range", []*pb.StreamRequest{{Msg: &pb.StreamRequest_Header{Header: &pb.StreamHeader{Name: "o", Options: &pb.StreamOptions{Conf: 2}}}}}, codes.InvalidArgument, "outside 0..1"},
		{"negative save_every", []*pb.StreamRequest{{Msg: &pb.StreamRequest_Header{Header: &pb.StreamHeader{Name: "o", Options: &pb.StreamOptions{SaveEvery: -1}}}}}, codes.InvalidArgument, "negative"},
		{"an empty message", []*pb.StreamRequest{header("e"), {}}, codes.InvalidArgument, "only frames"},
		{"a frame above the message limit", []*pb.StreamRequest{header("big"), huge}, codes.ResourceExhausted, "larger than max"},
	}
	for _, tc := range cases {
		call, err := c.StreamFrames(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tc.msgs {
			if err := call.Send(m); err != nil {
				break // the server ended the call; Recv says why
			}
		}
		var got error
		for got == nil {
			_, got = call.Recv()
		}
		if status.Code(got) != tc.code || !strings.Contains(got.Error(), tc.msg) {
			t.Errorf("%s: got %v, want %v saying %q", tc.name, got, tc.code, tc.msg)
		}
	}
	// The server still serves.
	src := streamtest.Frames{{Data: smallJPEG(t, 8, 8)}}
	if _, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{Header: &pb.StreamHeader{Name: "after"}}); err != nil {
		t.Errorf("a normal stream after the hostile ones: %v", err)
	}
}

// TestUnwritableOutputIsAPerFrameError makes the stream's folder vanish
// under it (replaced by a file, which even root cannot write into): those
// frames get a per-frame error, the stream goes on, no partial file is
// left, and frames succeed again once the folder is back.
func TestUnwritableOutputIsAPerFrameError(t *testing.T) {
	out := t.TempDir()
	m := startMonitoredAt(t, out)
	c := m.rpc
	dir := filepath.Join(out, "disk")
	frames := make(chan *pb.Frame)
	results := make(chan *pb.FrameResult)
	errc := make(chan error, 1)
	go func() {
		_, err := stream.NewClient(c).Run(context.Background(), streamtest.Chan(frames), stream.ClientConfig{
			Header:   &pb.StreamHeader{Name: "disk", Window: 1},
			OnResult: func(r *pb.FrameResult, _ time.Duration) { results <- r },
		})
		errc <- err
	}()
	good := smallJPEG(t, 16, 16)
	send := func(seq int64) *pb.FrameResult {
		frames <- &pb.Frame{Seq: seq, Data: good}
		return <-results
	}
	if r := send(0); r.Error != "" {
		t.Fatalf("frame 0: %s", r.Error)
	}
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := send(1); !strings.Contains(r.Error, "write image 1") || r.Status != pb.FrameStatus_FRAME_NOT_RECORDED {
		t.Errorf("frame 1 with no folder: error %q, status %v; want a write error, FRAME_NOT_RECORDED", r.Error, r.Status)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	if r := send(2); r.Error != "" {
		t.Errorf("frame 2 with the folder back: %s", r.Error)
	}
	close(frames)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var got []string
	for _, n := range names {
		got = append(got, filepath.Base(n))
	}
	if got, want := strings.Join(got, " "), ".predictions.checkpoint.json 00000000.jpg 00000002.jpg predictions.jsonl run.json"; got != want {
		t.Errorf("folder holds %s, want %s", got, want)
	}
	// A server failure is not recorded: a resume processes frame 1 again.
	if lines := readLines(t, filepath.Join(dir, folder.PredictionsFile)); len(lines) != 2 || strings.Contains(strings.Join(lines, ""), `"seq":1,`) {
		t.Errorf("predictions (want frames 0 and 2 only):\n%s", strings.Join(lines, "\n"))
	}
	if log := m.log.String(); !strings.Contains(log, `level=WARN msg="frame failed" stream=disk seq=1 err="write image 1`) {
		t.Errorf("no log line for the failed write:\n%s", log)
	}
}
