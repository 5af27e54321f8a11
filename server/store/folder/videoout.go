package folder

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder/video"
)

// VideoConfig is how the store writes the video of a stream that asks
// for it (record.Run.Video).
type VideoConfig struct {
	video.Config
	// LiveJPEGKeep is how many of a live stream's newest JPEGs stay once
	// their frames are in a segment, when fewer than the store's own
	// limit (0: the store's limit).
	LiveJPEGKeep int
}

// EnableVideo lets streams that ask for it have a video. Called before
// the store is used.
func (s *Store) EnableVideo(cfg VideoConfig) { s.video = &cfg }

// openVideo starts out's video when its run asks for one: first the
// frames recorded after its last segment.
func (s *Store) openVideo(out *output, run record.Run) error {
	if !run.Video || s.video == nil {
		return nil
	}
	x, err := video.ReadIndex(s.root.FS(), path.Join(out.name, video.Dir))
	if err != nil {
		return err
	}
	recovered, err := unsegmented(s.root.FS(), out.name, x)
	if err != nil {
		return err
	}
	if s.prunesJPEGs(run) {
		// The JPEGs of frames not yet in a segment stay until they are,
		// or the video gives them up.
		keep := s.liveKeep
		if s.video.LiveJPEGKeep > 0 {
			keep = min(keep, s.video.LiveJPEGKeep)
		}
		out.prune = newImagePruner(out, keep, x.LastSeq())
	}
	cfg := s.video.Config
	cfg.Log = s.log
	out.video, err = video.Open(s.root, out.name, cfg, run.Live, recovered, out.segmented)
	if err != nil {
		return fmt.Errorf("open the video of stream %q: %w", out.name, err)
	}
	out.frameCount, out.recorded = run.FrameCount, count(out.done)
	return nil
}

// segmented hears that frames are in a finished segment, or that the
// video gave them up (not encoded, their segment not written): their
// JPEGs may now be pruned.
func (o *output) segmented(frames []video.Frame) {
	for _, f := range frames {
		o.prune.written(f.Seq)
	}
}

// videoFrame is what the video takes of a recorded line: its time is the
// file position when it has one, else the capture time.
func videoFrame(rec record.Frame) video.Frame {
	pts := rec.CaptureUnixNano / 1000
	if rec.PositionUs != nil {
		pts = *rec.PositionUs
	}
	return video.Frame{Seq: rec.Seq, PTSUs: pts, Image: rec.Image}
}

// unsegmented reads dir's predictions for the frames with a JPEG that are
// after the last segment of x, in frame order, without duplicates.
func unsegmented(fsys fs.FS, dir string, x video.Index) ([]video.Frame, error) {
	f, err := fsys.Open(path.Join(dir, PredictionsFile))
	if err != nil {
		return nil, nil // no predictions yet
	}
	defer f.Close()
	last := x.LastSeq()
	bySeq := map[int64]video.Frame{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if seq, ok := lineSeq(sc.Bytes()); ok && seq <= last {
			continue // fast path: most lines are in a segment
		}
		var rec record.Frame
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Seq <= last || rec.Image == "" {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(dir, rec.Image)); err == nil {
			bySeq[rec.Seq] = videoFrame(rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read predictions for the video: %w", err)
	}
	return sortedFrames(bySeq), nil
}

// lineSeq reads the frame number at the start of a predictions line
// ({"seq":12,...}) without decoding it.
func lineSeq(b []byte) (int64, bool) {
	const prefix = `{"seq":`
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return 0, false
	}
	end := len(prefix)
	for end < len(b) && b[end] >= '0' && b[end] <= '9' {
		end++
	}
	seq, err := strconv.ParseInt(string(b[len(prefix):end]), 10, 64)
	return seq, err == nil
}

// sortedFrames are the frames of bySeq in frame order.
func sortedFrames(bySeq map[int64]video.Frame) []video.Frame {
	frames := slices.Collect(maps.Values(bySeq))
	slices.SortFunc(frames, func(a, b video.Frame) int { return cmp.Compare(a.Seq, b.Seq) })
	return frames
}

// count is the number of frames in sorted half-open ranges.
func count(rs []*pb.SeqRange) int64 {
	var n int64
	for _, r := range rs {
		n += r.End - r.Start
	}
	return n
}
