package service

import (
	"context"
	"image/color"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/store/folder"
)

// tree reads every file under dir, by path; a folder is an empty entry.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			files[p] = ""
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// plant makes a link at out/at to target, with the folders it needs.
func plant(t *testing.T, target, at string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(at), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, at); err != nil {
		t.Fatal(err)
	}
}

// A link planted in the output folder that leads outside it is never
// written through: the call is refused with FailedPrecondition naming the
// link, and nothing outside changes.
func TestLinksLeavingTheOutputFolderAreNotWrittenThrough(t *testing.T) {
	cases := []struct {
		name  string
		link  string // in out
		to    string // in outside
		exist pb.ExistPolicy
	}{
		{"stream folder", "s", ".", pb.ExistPolicy_EXIST_RESUME},
		{"stream folder, overwrite", "s", ".", pb.ExistPolicy_EXIST_OVERWRITE},
		{"stream folder, increment", "s", ".", pb.ExistPolicy_EXIST_INCREMENT},
		{"predictions.jsonl", "s/" + folder.PredictionsFile, "v.txt", pb.ExistPolicy_EXIST_RESUME},
		{"run.json", "s/" + folder.ManifestFile, "run.json", pb.ExistPolicy_EXIST_RESUME},
		{"lease folder", ".leases", ".", pb.ExistPolicy_EXIST_RESUME},
		{"lease file", ".leases/s", "lease", pb.ExistPolicy_EXIST_RESUME},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, outside := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(outside, "v.txt"), []byte("keep me\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			plant(t, filepath.Join(outside, tc.to), filepath.Join(out, tc.link))
			before := tree(t, outside)
			c := startServer(t, out)
			_, err := runStream(t, c, &pb.StreamHeader{Name: "s", Source: "clip.avi", FrameCount: 3, Exist: tc.exist}, 3)
			t.Logf("refused: %v", err)
			if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), tc.link+" in the output folder is a link") {
				t.Errorf("got %v, want FailedPrecondition naming %s as a link leading outside", err, tc.link)
			}
			if got := tree(t, outside); !maps.Equal(got, before) {
				t.Errorf("outside the output folder: %v, want it unchanged: %v", got, before)
			}
		})
	}
}

// Links to files outside that a stream folder's writes replace (an image,
// the checkpoint) are replaced by files, their targets left alone.
func TestLinkedImagesAreReplacedNotWrittenThrough(t *testing.T) {
	out, outside := t.TempDir(), t.TempDir()
	for _, name := range []string{"00000000.jpg", "00000002.jpg", ".predictions.checkpoint.json"} {
		if err := os.WriteFile(filepath.Join(outside, name), []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
		plant(t, filepath.Join(outside, name), filepath.Join(out, "s", name))
	}
	before := tree(t, outside)
	c := startServer(t, out)
	for range 2 { // the second call resumes: it reads the checkpoint
		sum, err := runStream(t, c, &pb.StreamHeader{Name: "s", Source: "clip.avi", FrameCount: 3}, 3)
		if err != nil || sum.Processed+sum.Skipped != 3 {
			t.Fatalf("run: %v, %+v", err, sum)
		}
	}
	if got := tree(t, outside); !maps.Equal(got, before) {
		t.Errorf("outside the output folder: %v, want it unchanged: %v", got, before)
	}
	if fi, err := os.Lstat(filepath.Join(out, "s", "00000000.jpg")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("s/00000000.jpg: %v (%v), want a file of its own", fi, err)
	}
}

// DetectFrame never writes through a _unary link leading outside.
func TestUnaryLinkLeavingTheOutputFolderIsRefused(t *testing.T) {
	out, outside := t.TempDir(), t.TempDir()
	plant(t, outside, filepath.Join(out, "_unary"))
	c := startServer(t, out)
	_, err := c.DetectFrame(context.Background(), &pb.DetectFrameRequest{Name: "m", Frame: &pb.Frame{
		Seq: 5, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 64, 48, color.Gray{Y: 200})}})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("got %v, want FailedPrecondition", err)
	}
	if got := tree(t, outside); len(got) != 1 {
		t.Errorf("outside the output folder: %v, want it empty", got)
	}
}

// A link that stays inside the output folder is followed.
func TestLinkInsideTheOutputFolderIsFollowed(t *testing.T) {
	out := t.TempDir()
	if err := os.Mkdir(filepath.Join(out, "real"), 0o777); err != nil {
		t.Fatal(err)
	}
	plant(t, "real", filepath.Join(out, "alias"))
	c := startServer(t, out)
	if _, err := runStream(t, c, &pb.StreamHeader{Name: "alias", Source: "clip.avi", FrameCount: 3}, 3); err != nil {
		t.Fatal(err)
	}
	if n := len(readLines(t, filepath.Join(out, "real", folder.PredictionsFile))); n != 3 {
		t.Errorf("real/%s has %d lines, want 3", folder.PredictionsFile, n)
	}
}
