package folder

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/stream"
)

var _ core.Output = (*output)(nil)

// output is one stream's folder, held by one call: one <seq>.jpg per frame
// and predictions.jsonl with one line per frame. Images are written to a
// temporary name and renamed, so a final name never holds a partial file.
// WriteImage is safe for concurrent use; the other methods are called from
// one goroutine.
type output struct {
	name  string
	path  string
	jsonl *os.File
	size  int64 // bytes of complete lines in jsonl
	// done lists the sequence numbers already recorded when the folder was
	// opened, as sorted half-open ranges.
	done []*pb.SeqRange
	// lastTrackID is the highest track id recorded when the folder was
	// opened; a resumed tracked run numbers its tracks above it.
	lastTrackID int64
	// trackCounts are the distinct track ids per label recorded then.
	trackCounts map[string]int64

	owner   *owner
	release func()       // lets the name go
	prune   *imagePruner // nil keeps every image
}

// openOutput creates or reopens the stream folder path. A predictions
// file that ends in a torn line (a crash in the middle of a write) is cut
// back to its last complete line.
func openOutput(name, path string) (*output, error) {
	if err := os.MkdirAll(path, dirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	stale, _ := filepath.Glob(filepath.Join(path, tmpPrefix+"*"))
	for _, f := range stale {
		os.Remove(f)
	}
	f, err := os.OpenFile(filepath.Join(path, PredictionsFile), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open predictions file: %w", err)
	}
	rec, err := repairPredictions(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return &output{name: name, path: path, jsonl: f, size: rec.size, done: seqRanges(rec.seqs),
		lastTrackID: rec.lastTrackID, trackCounts: rec.tracks.Counts()}, nil
}

// recorded is what a predictions file holds: its frames' sequence
// numbers, the highest track id, the distinct track ids per label and
// the size of its complete lines.
type recorded struct {
	seqs        []int64
	lastTrackID int64
	tracks      core.TrackIDs
	size        int64
}

// add takes one complete line.
func (rec *recorded) add(line []byte) {
	rec.size += int64(len(line))
	var l struct {
		Seq        *int64 `json:"seq"`
		Detections []struct {
			Label   string `json:"label"`
			TrackID int64  `json:"track_id"`
		} `json:"detections"`
	}
	if json.Unmarshal(bytes.TrimSpace(line), &l) != nil || l.Seq == nil {
		return
	}
	rec.seqs = append(rec.seqs, *l.Seq)
	for _, d := range l.Detections {
		rec.lastTrackID = max(rec.lastTrackID, d.TrackID)
		rec.tracks.Add(d.Label, d.TrackID)
	}
}

// repairPredictions reads what f records, cuts a torn last line and
// leaves the offset at the end for appending.
func repairPredictions(f *os.File) (recorded, error) {
	var rec recorded
	r := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			rec.add(line)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rec, err
		}
	}
	if err := f.Truncate(rec.size); err != nil {
		return rec, fmt.Errorf("cut torn line: %w", err)
	}
	if _, err := f.Seek(rec.size, io.SeekStart); err != nil {
		return rec, err
	}
	return rec, nil
}

// seqRanges folds sequence numbers into sorted half-open ranges.
func seqRanges(seqs []int64) []*pb.SeqRange {
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	var out []*pb.SeqRange
	for _, s := range seqs {
		if n := len(out); n > 0 && out[n-1].End == s {
			out[n-1].End++
			continue
		}
		out = append(out, &pb.SeqRange{Start: s, End: s + 1})
	}
	return out
}

// Name is the stream's name.
func (o *output) Name() string { return o.name }

// Done lists the frames recorded when the folder was opened.
func (o *output) Done() []*pb.SeqRange { return o.done }

// Resumed says the folder held frames of this run.
func (o *output) Resumed() bool { return len(o.done) > 0 }

// LastTrackID is the highest track id recorded when it was opened.
func (o *output) LastTrackID() int64 { return o.lastTrackID }

// TrackCounts are the distinct track ids per label recorded when it was
// opened; the caller may keep the map.
func (o *output) TrackCounts() map[string]int64 { return maps.Clone(o.trackCounts) }

// Evicted is closed when a newer call of the same run takes the name.
func (o *output) Evicted() <-chan struct{} { return o.owner.evicted }

// Recorded reports whether seq was recorded when the folder was opened.
func (o *output) Recorded(seq int64) bool {
	i := sort.Search(len(o.done), func(i int) bool { return o.done[i].End > seq })
	return i < len(o.done) && o.done[i].Start <= seq
}

// WriteImage writes data as the image of frame seq, atomically.
func (o *output) WriteImage(seq int64, data []byte) (string, error) {
	if err := WriteFileAtomic(o.path, ImageName(seq), data); err != nil {
		return "", fmt.Errorf("write image %d: %w", seq, err)
	}
	return o.name + "/" + ImageName(seq), nil
}

// Append records rec as one line of predictions.jsonl, in one write; a
// failed write is cut back, so the file never keeps half a line.
func (o *output) Append(rec stream.Record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode prediction line: %w", err)
	}
	line = append(line, '\n')
	if _, err := o.jsonl.Write(line); err != nil {
		if terr := o.jsonl.Truncate(o.size); terr == nil {
			_, _ = o.jsonl.Seek(o.size, io.SeekStart)
		}
		return fmt.Errorf("append to %s: %w", PredictionsFile, err)
	}
	o.size += int64(len(line))
	if rec.Image != "" {
		o.prune.written(rec.Seq)
	}
	return nil
}

// Close syncs and closes the predictions file and lets the name go.
func (o *output) Close() error {
	defer o.release()
	return errors.Join(o.jsonl.Sync(), o.closeFile())
}

func (o *output) closeFile() error { return o.jsonl.Close() }
