package capture

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/framewire/framewire/capture/frameenc"
	framewirepb "github.com/framewire/framewire/proto"
)

const darknetData = "/usr/share/darknet/data"

// photoFolder copies some darknet photos, an opencv-doc photo with an
// upper-case extension, a text file, a folder named like an image and a
// broken "image" into a new folder.
func photoFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"person.jpg", "dog.jpg", "horses.jpg", "eagle.jpg"} {
		copyFile(t, filepath.Join(darknetData, name), filepath.Join(dir, name))
	}
	copyFile(t, "/usr/share/doc/opencv-doc/examples/data/baboon.jpg", filepath.Join(dir, "baboon.JPG"))
	write(t, filepath.Join(dir, "broken.jpg"), "this is not a JPEG")
	write(t, filepath.Join(dir, "notes.txt"), "not an image, not listed")
	if err := os.Mkdir(filepath.Join(dir, "sub.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is not installed (bash scripts/setup.sh test)", from)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readImages reads every frame of s.
func readImages(t *testing.T, s *frameenc.Source) []*framewirepb.Frame {
	t.Helper()
	var out []*framewirepb.Frame
	for {
		f, err := s.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
}

func names(frames []*framewirepb.Frame) []string {
	var out []string
	for _, f := range frames {
		out = append(out, f.GetSourceName())
	}
	return out
}

func TestFolderIsItsImagesInNameOrder(t *testing.T) {
	dir := photoFolder(t)
	s, err := OpenSource(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info := s.Info()
	if info.Kind != KindFolder || info.Live || info.FrameCount != 6 {
		t.Errorf("got info %+v, want a finite folder of 6", info)
	}
	frames := readImages(t, s)
	want := []string{"baboon.JPG", "broken.jpg", "dog.jpg", "eagle.jpg", "horses.jpg", "person.jpg"}
	if got := names(frames); !slices.Equal(got, want) {
		t.Fatalf("got files %v, want %v", got, want)
	}
	for i, f := range frames {
		if f.GetSeq() != int64(i) {
			t.Errorf("frame %d: got seq %d", i, f.GetSeq())
		}
	}
	dog, _ := os.ReadFile(filepath.Join(dir, "dog.jpg"))
	if got := frames[2]; string(got.GetData()) != string(dog) || got.GetWidth() != 768 || got.GetHeight() != 576 {
		t.Errorf("dog.jpg: got %d bytes %dx%d, want the file's own %d bytes, 768x576", len(got.GetData()), got.GetWidth(), got.GetHeight(), len(dog))
	}
	if got := string(frames[1].GetData()); got != "this is not a JPEG" {
		t.Errorf("broken.jpg: got data %q, want its bytes, for the server to reject", got)
	}
}

func TestGlobAndListPickTheirFiles(t *testing.T) {
	dir := photoFolder(t)
	write(t, filepath.Join(dir, "list.txt"), "# photos\nperson.jpg\n\n"+filepath.Join(dir, "dog.jpg")+"\nmissing.jpg\n")
	for _, c := range []struct {
		spec, kind string
		want       []string
	}{
		{filepath.Join(dir, "[dh]*.jpg"), KindGlob, []string{filepath.Join(dir, "dog.jpg"), filepath.Join(dir, "horses.jpg")}},
		{filepath.Join(dir, "list.txt"), KindList, []string{"person.jpg", filepath.Join(dir, "dog.jpg"), "missing.jpg"}},
	} {
		s, err := OpenSource(c.spec, Options{})
		if err != nil {
			t.Fatal(err)
		}
		frames := readImages(t, s)
		s.Close()
		if got := names(frames); s.Info().Kind != c.kind || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %s %v, want %s %v", c.spec, s.Info().Kind, got, c.kind, c.want)
		}
	}
}

func TestResizedImagesAreJPEGOfTheAskedSize(t *testing.T) {
	s, err := OpenImages(photoFolder(t), Options{Width: 320})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range readImages(t, s) {
		if f.GetSourceName() == "broken.jpg" {
			continue
		}
		if f.GetWidth() != 320 || f.GetEncoding() != framewirepb.Encoding_ENCODING_JPEG {
			t.Errorf("%s: got width %d %v, want 320 JPEG", f.GetSourceName(), f.GetWidth(), f.GetEncoding())
		}
	}
}

func TestImagesSkipToResumes(t *testing.T) {
	s, err := OpenImages(photoFolder(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SkipTo(4); err != nil {
		t.Fatal(err)
	}
	if got := names(readImages(t, s)); !slices.Equal(got, []string{"horses.jpg", "person.jpg"}) {
		t.Errorf("after SkipTo(4): got %v, want horses.jpg, person.jpg", got)
	}
	if err := s.SkipTo(2); err == nil {
		t.Error("SkipTo backwards: got nil, want an error")
	}
	if err := s.SkipTo(9); !errors.Is(err, io.EOF) {
		t.Errorf("SkipTo past the end: got %v, want io.EOF", err)
	}
}

func TestImageSourceErrors(t *testing.T) {
	empty := t.TempDir()
	write(t, filepath.Join(empty, "a.txt"), "x")
	for _, c := range []struct{ spec, want string }{
		{empty, "has no images"},
		{filepath.Join(empty, "*.png"), "has no images"},
	} {
		if _, err := OpenSource(c.spec, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error saying %q", c.spec, err, c.want)
		}
	}
	if kind := imageKind("/usr/share/doc/opencv-doc/examples/data/vtest.avi"); kind != "" {
		t.Errorf("a video file: got kind %q, want none", kind)
	}
}
