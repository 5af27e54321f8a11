package video

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
)

// Names in a stream's video folder.
const (
	// Dir is the video folder inside a stream's folder.
	Dir = record.VideoDir
	// IndexFile says which frames each finished segment holds.
	IndexFile = record.VideoIndex
	// PlaylistFile is the HLS playlist of the finished segments.
	PlaylistFile = record.VideoPlaylist
)

// SegmentName is the file name of segment n.
func SegmentName(n int) string { return fmt.Sprintf("%05d.mp4", n) }

// Segment is one finished MP4 segment.
type Segment struct {
	N    int    `json:"n"`
	File string `json:"file"`
	// Frames are the frame numbers it holds, in order, as half-open
	// ranges [start, end).
	Frames [][2]int64 `json:"frames"`
	Count  int        `json:"count"`
	// StartUs is the first frame's presentation time (the file position,
	// or the capture time since the stream's first frame for a live one),
	// DurationUs the segment's length, InitBytes the length of its
	// initialisation section (ftyp and moov; the HLS map).
	StartUs    int64 `json:"start_us"`
	DurationUs int64 `json:"duration_us"`
	Bytes      int64 `json:"bytes"`
	// BaseTicks is where the segment starts on the video's timeline (the
	// decode time of its first fragment), Ticks its length there, both in
	// Timescale ticks: the segments of a stream make one timeline.
	BaseTicks int64 `json:"base_ticks"`
	Ticks     int64 `json:"ticks"`
	InitBytes int64 `json:"init_bytes"`
}

// Index is a stream's segments.json: the finished segments, oldest first.
type Index struct {
	Segments []Segment `json:"segments"`
	// Ended says the stream's frames are all in the segments (a finished
	// file): the playlist is closed.
	Ended bool `json:"ended,omitempty"`
}

// next is the number of the next segment.
func (x *Index) next() int {
	if len(x.Segments) == 0 {
		return 0
	}
	return x.Segments[len(x.Segments)-1].N + 1
}

// endTicks is where the next segment starts on the timeline.
func (x *Index) endTicks() int64 {
	if len(x.Segments) == 0 {
		return 0
	}
	s := x.Segments[len(x.Segments)-1]
	return s.BaseTicks + s.Ticks
}

// LastSeq is the last frame in a segment, -1 for none.
func (x *Index) LastSeq() int64 {
	if len(x.Segments) == 0 {
		return -1
	}
	fr := x.Segments[len(x.Segments)-1].Frames
	return fr[len(fr)-1][1] - 1
}

// ReadIndex reads dir's segments.json; none is an empty index.
func ReadIndex(fsys fs.FS, dir string) (Index, error) {
	var x Index
	b, err := fs.ReadFile(fsys, path.Join(dir, IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return x, nil
	}
	if err != nil {
		return x, fmt.Errorf("read video index: %w", err)
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return x, fmt.Errorf("read video index %s: %w", path.Join(dir, IndexFile), err)
	}
	return x, nil
}

// write stores x and its playlist in root's dir, each atomically: the
// index first, so that a playlist never names a segment the index lacks.
func (x *Index) write(root *os.Root, dir string) error {
	b, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		return fmt.Errorf("encode video index: %w", err)
	}
	if err := rootfile.WriteAtomic(root, dir, IndexFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write video index: %w", err)
	}
	if err := rootfile.WriteAtomic(root, dir, PlaylistFile, []byte(x.Playlist())); err != nil {
		return fmt.Errorf("write video playlist: %w", err)
	}
	return nil
}

// Playlist is the HLS playlist of x's segments. Each segment is a whole
// fragmented MP4 continuing the timeline of the one before: its
// initialisation section is its own EXT-X-MAP (a byte range of the same
// file), the rest its media.
func (x *Index) Playlist() string {
	var b strings.Builder
	target := int64(1)
	for _, s := range x.Segments {
		target = max(target, (s.DurationUs+999_999)/1_000_000)
	}
	first := 0
	if len(x.Segments) > 0 {
		first = x.Segments[0].N
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:%d\n", target, first)
	if x.Ended {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:VOD\n")
	}
	for _, s := range x.Segments {
		fmt.Fprintf(&b, "#EXT-X-MAP:URI=%q,BYTERANGE=\"%d@0\"\n#EXTINF:%.6f,\n#EXT-X-BYTERANGE:%d@%d\n%s\n",
			s.File, s.InitBytes, float64(s.DurationUs)/1e6, s.Bytes-s.InitBytes, s.InitBytes, s.File)
	}
	if x.Ended {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	return b.String()
}
