package video

import (
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/framewire/framewire/internal/rootfile"
)

// expired takes from x the oldest segments of a live stream beyond what
// the config keeps (never the newest) and returns them.
func (r *Recorder) expired(x *Index) []Segment {
	if !r.live || r.cfg.KeepDuration <= 0 && r.cfg.KeepBytes <= 0 {
		return nil
	}
	var dur, size int64
	for _, s := range x.Segments {
		dur, size = dur+s.DurationUs, size+s.Bytes
	}
	over := func() bool {
		return r.cfg.KeepDuration > 0 && dur > r.cfg.KeepDuration.Microseconds() ||
			r.cfg.KeepBytes > 0 && size > r.cfg.KeepBytes
	}
	n := 0
	for n < len(x.Segments)-1 && over() {
		dur, size = dur-x.Segments[n].DurationUs, size-x.Segments[n].Bytes
		n++
	}
	gone := x.Segments[:n:n]
	x.Segments = x.Segments[n:]
	return gone
}

// writeSegment writes a segment's bytes atomically.
func writeSegment(root *os.Root, vdir, name string, b []byte) error {
	return rootfile.WriteAtomic(root, vdir, name, b)
}

// sweep removes what a crash left in vdir: temporary files, and segments
// numbered from next on (written, but not yet listed).
func sweep(root *os.Root, vdir string, next int) {
	entries, _ := fs.ReadDir(root.FS(), vdir)
	for _, e := range entries {
		num, isMP4 := strings.CutSuffix(e.Name(), ".mp4")
		n, err := strconv.Atoi(num)
		if strings.HasPrefix(e.Name(), rootfile.TmpPrefix) || isMP4 && err == nil && n >= next {
			_ = root.Remove(path.Join(vdir, e.Name()))
		}
	}
}
