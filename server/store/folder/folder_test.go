package folder

import (
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// openTestOutput opens stream folder name in store folder dir, closed
// when the test ends.
func openTestOutput(t *testing.T, dir, name string) *output {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	out, err := openOutput(root, name, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.closeFile() })
	return out
}

// folderPath is o's folder on disk.
func folderPath(o *output) string { return filepath.Join(o.root.Name(), o.name) }

// A live stream keeps the JPEGs of its last frames only; its lines stay.
func TestLiveStreamKeepsItsLastImages(t *testing.T) {
	dir := openTestOutput(t, t.TempDir(), "cam")
	p := newImagePruner(dir, 3, math.MaxInt64)
	for seq := range int64(10) {
		if _, err := dir.WriteImage(seq, []byte("jpeg")); err != nil {
			t.Fatal(err)
		}
		p.written(seq)
	}
	entries, _ := os.ReadDir(folderPath(dir))
	var got []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".jpg") {
			got = append(got, e.Name())
		}
	}
	if want := []string{"00000007.jpg", "00000008.jpg", "00000009.jpg"}; !slices.Equal(got, want) {
		t.Errorf("images kept %v, want %v", got, want)
	}
}

// A live run that reconnects keeps pruning the images written before.
func TestReconnectedLiveStreamPrunesTheEarlierImages(t *testing.T) {
	dir := openTestOutput(t, t.TempDir(), "cam")
	for seq := range int64(5) {
		if _, err := dir.WriteImage(seq, []byte("jpeg")); err != nil {
			t.Fatal(err)
		}
	}
	p := newImagePruner(dir, 3, math.MaxInt64) // the reconnected call's
	if _, err := dir.WriteImage(5, []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	p.written(5)
	got, _ := filepath.Glob(filepath.Join(folderPath(dir), "*.jpg"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	if want := []string{"00000003.jpg", "00000004.jpg", "00000005.jpg"}; !slices.Equal(got, want) {
		t.Errorf("images kept %v, want %v", got, want)
	}
}

func TestResumedTracksNumberAboveTheRecordedOnes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "walk")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	lines := `{"seq":0,"detections":[{"label":"person","track_id":7},{"label":"dog","track_id":3}]}
{"seq":1,"detections":[]}
{"seq":2,"detections":[{"label":"person","track_id":7},{"label":"person","track_id":2},{"label":"person"}]}
`
	if err := os.WriteFile(filepath.Join(dir, PredictionsFile), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, open := range []string{"first open", "open from the checkpoint"} {
		d := openTestOutput(t, filepath.Dir(dir), "walk")
		if d.LastTrackID() != 7 {
			t.Errorf("%s: got last track id %d, want 7", open, d.LastTrackID())
		}
		if got, want := d.TrackCounts(), map[string]int64{"person": 2, "dog": 1}; !maps.Equal(got, want) {
			t.Errorf("%s: track counts %v, want %v", open, got, want)
		}
		d.closeFile()
	}
}
