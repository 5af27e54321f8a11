package server

import (
	"context"
	"image/color"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/store"
	"github.com/framewire/framewire/server/store/folder/foldertest"
	"github.com/framewire/framewire/server/store/storetest"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// A file:// URL (percent-escapes and all) names the folder store's folder.
func TestFileURLOutputIsTheFolderStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my out?")
	out := (&url.URL{Scheme: "file", Path: dir}).String() // file:///tmp/.../my%20out%3F
	c := startServer(t, out)
	src := streamtest.Frames{}
	for seq := range int64(3) {
		src = append(src, &pb.Frame{Seq: seq, Encoding: pb.Encoding_ENCODING_PNG, Data: pngBytes(t, 16, 16, color.Gray{uint8(seq)})})
	}
	sum, err := stream.NewClient(c).Run(context.Background(), &src, stream.ClientConfig{Header: &pb.StreamHeader{Name: "clip"}})
	if err != nil || sum.Processed != 3 {
		t.Fatalf("stream to --out %s: %d processed (%v), want 3", out, sum.Processed, err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "clip"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	for _, want := range []string{"00000000.jpg", "00000002.jpg", "predictions.jsonl", "run.json"} {
		if !slices.Contains(got, want) {
			t.Errorf("--out %s: %s holds %v, want %s among them", out, dir, got, want)
		}
	}
}

// An output naming a store the server does not know fails at start-up,
// before the model is loaded, saying which schemes it knows.
func TestUnknownStoreSchemeFailsAtStartUp(t *testing.T) {
	_, err := New(Config{OutDir: "s3://bucket/frames", Model: detect.Config{Kind: detect.KindNanodet, ModelFile: "/nonexistent.onnx"}})
	if err == nil {
		t.Fatal("--out s3://bucket/frames: the server started, want it refused")
	}
	for _, says := range []string{`"s3://bucket/frames"`, `no store for scheme "s3"`, "file://"} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("--out s3://bucket/frames: error %q, want it to say %s", err, says)
		}
	}
}

// suiteViews gives the conformance suite its view of each store scheme's
// output; a store added to StoreSchemes adds its view here.
func suiteViews() map[string]func(open func(t *testing.T, place string) core.Store) storetest.Backend {
	return map[string]func(func(*testing.T, string) core.Store) storetest.Backend{
		"file": foldertest.Backend,
	}
}

// Every store --out can name passes the conformance suite, opened by its
// URL as the server opens it.
func TestEveryStoreSchemePassesTheSuite(t *testing.T) {
	views := suiteViews()
	for _, scheme := range StoreSchemes() {
		t.Run(scheme.Name, func(t *testing.T) {
			view, ok := views[scheme.Name]
			if !ok {
				t.Fatalf("store scheme %q is not run against the conformance suite: add its view to suiteViews (docs/stores.md)", scheme.Name)
			}
			storetest.Run(t, view(func(t *testing.T, place string) core.Store {
				return openByURL(t, scheme.Name, place)
			}))
		})
	}
}

// openByURL opens the store at scheme://place through StoreSchemes,
// closed when t ends.
func openByURL(t *testing.T, scheme, place string) core.Store {
	loc, err := store.Find((&url.URL{Scheme: scheme, Path: place}).String(), StoreSchemes())
	if err != nil {
		t.Fatal(err)
	}
	s, err := loc.Open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
