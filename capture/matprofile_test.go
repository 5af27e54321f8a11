//go:build matprofile

package capture

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// TestNoMatLeaks checks that every Mat capture creates is closed, on success
// and on failure paths. Run with: go test -tags matprofile ./capture/
func TestNoMatLeaks(t *testing.T) {
	path := needVtest(t)
	garbage := filepath.Join(t.TempDir(), "garbage.avi")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a video\n"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	noFrames := filepath.Join(t.TempDir(), "noframes.avi")
	if vw, err := gocv.VideoWriterFile(noFrames, "MJPG", 25, 64, 48, true); err == nil {
		vw.Close()
	}

	before := gocv.MatProfile.Count()
	for _, opts := range []Options{{}, {Width: 320}, {MaxFPS: 1000}, {Raw: true}, {Raw: true, Width: 320}} {
		s, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if _, err := s.Next(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SkipTo(790); err != nil {
			t.Fatal(err)
		}
		readAll(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Open failures after OpenCV has been involved must not leak either.
	for _, spec := range []string{garbage, noFrames} {
		if s, err := Open(spec, Options{}); err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded, want an error", spec)
		}
	}
	if after := gocv.MatProfile.Count(); after != before {
		var b bytes.Buffer
		gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("MatProfile count went from %d to %d: leaked Mats:\n%s", before, after, b.String())
	}
}

// TestImageSourceNoMatLeaks checks the Mats of folder reading: as-is,
// resized, unreadable files, skipping and closing early.
func TestImageSourceNoMatLeaks(t *testing.T) {
	dir := photoFolder(t)
	before := gocv.MatProfile.Count()
	for _, opts := range []Options{{}, {Width: 200}, {Raw: true, Width: 200}} {
		s, err := OpenImages(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		readImages(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := OpenImages(dir, Options{Width: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if after := gocv.MatProfile.Count(); after != before {
		var b bytes.Buffer
		gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("MatProfile count went from %d to %d: leaked Mats:\n%s", before, after, b.String())
	}
}
