package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// TestServerErrorsNamingANonUTF8PathReachTheClient serves into an output
// folder whose path is not UTF-8 and makes one frame's image impossible to
// write (a folder stands where it goes): that frame fails, not recorded,
// with an error that is UTF-8 and names the image, and the stream goes
// on.
func TestServerErrorsNamingANonUTF8PathReachTheClient(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out\xff")
	if err := os.MkdirAll(filepath.Join(out, "s", "00000001.jpg", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var errs []string
	sum, err := stream.NewClient(startServer(t, out)).Run(context.Background(), grayFrames(t, 3), stream.ClientConfig{
		Header:   &pb.StreamHeader{Name: "s"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { errs = append(errs, r.GetError()) },
	})
	if err != nil {
		t.Fatalf("got %v, want the stream to finish", err)
	}
	if sum.Processed != 2 || sum.NotRecorded != 1 || len(errs) != 3 {
		t.Fatalf("got %d processed, %d not recorded, %d results; want 2, 1, 3", sum.Processed, sum.NotRecorded, len(errs))
	}
	// The folder store names files inside --out relative to it, so the
	// error names the image, not the odd path; it must still be UTF-8.
	if e := errs[1]; !utf8.ValidString(e) || !strings.Contains(e, "00000001.jpg") {
		t.Errorf("frame 1: got error %q, want UTF-8 naming 00000001.jpg", e)
	}
}
