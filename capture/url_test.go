package capture

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestURLFileOverHTTP(t *testing.T) {
	path := needVtest(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	}))
	defer srv.Close()

	url := srv.URL + "/vtest.avi"
	s := openT(t, url, Options{Width: 384})
	info := s.Info()
	if info.Kind != KindURL || info.Live || info.FrameCount != vtestFrames || info.Width != 384 || info.Height != 288 {
		t.Errorf("Info() = %+v, want a non-live URL with %d frames at 384x288", info, vtestFrames)
	}
	for i := range 5 {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq != int64(i) || f.Width != 384 || f.Height != 288 || !looksLikeJPEG(f.Data) {
			t.Fatalf("frame %d: seq %d, %dx%d, %d bytes", i, f.Seq, f.Width, f.Height, len(f.Data))
		}
	}
	if err := s.SkipTo(790); err != nil {
		t.Fatalf("SkipTo(790) on a finite URL: %v", err)
	}
	frames := readAll(t, s)
	if len(frames) != 5 || frames[0].Seq != 790 || frames[4].Seq != 794 {
		t.Errorf("after SkipTo(790) read %d frames, want seq 790..794", len(frames))
	}
}
