// Package progressbar draws the client's progress line on a terminal: frames
// done of the total, fps, ETA and failures.
package progressbar

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	pb "github.com/framewire/framewire/proto"
)

// progressEvery is the shortest time between two redraws of the bar when
// no result line was printed in between.
const progressEvery = 100 * time.Millisecond

// Bar draws one line at the bottom of a terminal: frames done of
// the total, fps, ETA and failures. A nil *Bar draws nothing (the
// source has no known length, stderr is not a terminal, or --quiet). Used
// from one goroutine (the stream's result callback).
type Bar struct {
	w      io.Writer
	width  int // columns of the terminal
	total  int64
	start  time.Time
	done   int64
	failed int64
	drawn  time.Time // last redraw; zero when the bar is not on screen
	now    func() time.Time
}

// New returns a bar on w for a source of total frames when w is
// a terminal, otherwise nil.
func New(w io.Writer, total int64) *Bar {
	f, ok := w.(*os.File)
	if !ok || total <= 0 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		width = 80
	}
	return &Bar{w: w, width: width, total: total, start: time.Now(), now: time.Now}
}

// IsTerminal says whether w writes to a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Clear takes the bar off the screen, so that a line can be printed in its
// place; the next Add draws it again.
func (b *Bar) Clear() {
	if b == nil || b.drawn.IsZero() {
		return
	}
	fmt.Fprint(b.w, "\r\x1b[K")
	b.drawn = time.Time{}
}

// Add counts result r and redraws the bar if it is off the screen or
// stale.
func (b *Bar) Add(r *pb.FrameResult) {
	if b == nil {
		return
	}
	b.done++
	if r.GetError() != "" {
		b.failed++
	}
	now := b.now()
	if !b.drawn.IsZero() && now.Sub(b.drawn) < progressEvery && b.done < b.total {
		return
	}
	b.drawn = now
	fmt.Fprint(b.w, "\r\x1b[K"+b.line(now))
}

// Finish leaves the screen as if there had been no bar.
func (b *Bar) Finish() {
	b.Clear()
}

// line is the bar's text for time now, at most b.width-1 columns.
func (b *Bar) line(now time.Time) string {
	elapsed := now.Sub(b.start).Seconds()
	var fps float64
	if elapsed > 0 {
		fps = float64(b.done) / elapsed
	}
	eta := "--:--"
	if fps > 0 && b.done <= b.total {
		eta = clock(time.Duration(float64(b.total-b.done) / fps * float64(time.Second)))
	}
	pct := 100 * float64(b.done) / float64(b.total)
	info := fmt.Sprintf(" %d/%d %3.0f%% %5.1f fps ETA %s", b.done, b.total, pct, fps, eta)
	if b.failed > 0 {
		info += fmt.Sprintf(" failed %d", b.failed)
	}
	cells := b.width - 1 - len(info) - 2
	if cells < 10 {
		return strings.TrimSpace(info)
	}
	full := int(int64(cells) * min(b.done, b.total) / b.total)
	return "[" + strings.Repeat("#", full) + strings.Repeat("-", cells-full) + "]" + info
}

// clock formats d as m:ss, or h:mm:ss from an hour on.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
