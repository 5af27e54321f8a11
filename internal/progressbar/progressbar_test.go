package progressbar

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	start := time.Unix(1000, 0)
	now := start
	b := &Bar{w: &out, width: 80, total: 100, start: start, now: func() time.Time { return now }}
	for i := range 50 {
		now = start.Add(time.Duration(i+1) * 100 * time.Millisecond) // 10 fps
		r := &pb.FrameResult{Seq: int64(i)}
		if i == 7 {
			r.Error = "bad frame"
		}
		b.Add(r)
	}
	text := out.String()
	last := text[strings.LastIndex(text, "\r\x1b[K")+4:]
	for _, want := range []string{"50/100", " 50%", "10.0 fps", "ETA 0:05", "failed 1", "[####"} {
		if !strings.Contains(last, want) {
			t.Errorf("bar %q lacks %q", last, want)
		}
	}
	if len(last) > 79 {
		t.Errorf("bar is %d columns on an 80-column terminal", len(last))
	}
	// One redraw per 100 ms, not one per result.
	if n := strings.Count(text, "\r"); n != 50 {
		t.Errorf("%d redraws for 50 results 100 ms apart", n)
	}
	now = now.Add(10 * time.Millisecond)
	b.Add(&pb.FrameResult{Seq: 50})
	if n := strings.Count(out.String(), "\r"); n != 50 {
		t.Errorf("redrawn after 10 ms: %d", n)
	}
	// A result line clears it; the next result draws it again.
	b.Clear()
	b.Add(&pb.FrameResult{Seq: 51})
	if !strings.HasSuffix(strings.SplitAfter(out.String(), "\r\x1b[K\r\x1b[K")[1], "ETA 0:05 failed 1") {
		t.Errorf("not redrawn after a clear: %q", out.String()[len(text):])
	}
	b.Finish()
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("finish leaves the bar on screen")
	}
}

func TestNoProgressBarOffATerminal(t *testing.T) {
	if b := New(&bytes.Buffer{}, 100); b != nil {
		t.Error("a bar on a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b := New(f, 100); b != nil {
		t.Error("a bar on a file")
	}
	// Nil bars do nothing.
	var b *Bar
	b.Add(&pb.FrameResult{})
	b.Clear()
	b.Finish()
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0:00", 65 * time.Second: "1:05", 3725 * time.Second: "1:02:05",
	} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %s, want %s", d, got, want)
		}
	}
}
