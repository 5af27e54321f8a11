package folder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path"
	"sync/atomic"

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
	root  *os.Root // the store's; the folder is root's name
	log   *slog.Logger
	jsonl *os.File
	// rec is what predictions.jsonl records, kept up to date by Append
	// for the checkpoint; size is its complete lines' bytes.
	rec *recorded
	// done lists the sequence numbers already recorded when the folder was
	// opened, as sorted half-open ranges.
	done []*pb.SeqRange
	// lastTrackID is the highest track id recorded when the folder was
	// opened; a resumed tracked run numbers its tracks above it.
	lastTrackID int64
	// trackCounts are the distinct track ids per label recorded then.
	trackCounts map[string]int64
	writing     atomic.Int64 // images being written

	owner   *owner
	release func()       // lets the name go
	prune   *imagePruner // nil keeps every image
}

// openOutput creates or reopens the stream folder name in root and reads
// its predictions (loadPredictions), then checkpoints what they hold.
func openOutput(root *os.Root, name string, log *slog.Logger) (*output, error) {
	if err := root.MkdirAll(name, dirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", explainLinks(root, err))
	}
	f, rec, err := loadPredictions(root, name, log)
	if err != nil {
		return nil, err
	}
	o := &output{name: name, root: root, log: log, jsonl: f, rec: rec, done: rec.frames(),
		lastTrackID: rec.lastTrackID, trackCounts: rec.tracks.Counts()}
	o.checkpoint(false) // not clean until Close: this call writes images
	return o, nil
}

// checkpoint syncs the predictions file and records what it holds; it
// only speeds up the next open, so a failure is logged.
func (o *output) checkpoint(clean bool) {
	err := o.jsonl.Sync()
	if err == nil {
		err = writeCheckpoint(o.root, o.name, o.rec, clean)
	}
	if err != nil {
		o.log.Warn("no checkpoint of predictions.jsonl; the next open reads it whole", "stream", o.name, "err", explainLinks(o.root, err))
	}
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
func (o *output) Recorded(seq int64) bool { return inRanges(o.done, seq) }

// WriteImage writes data as the image of frame seq, atomically.
func (o *output) WriteImage(seq int64, data []byte) (string, error) {
	o.writing.Add(1)
	defer o.writing.Add(-1)
	if err := writeFileAtomic(o.root, o.name, ImageName(seq), data); err != nil {
		return "", fmt.Errorf("write image %d: %w", seq, explainLinks(o.root, err))
	}
	return path.Join(o.name, ImageName(seq)), nil
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
		if terr := o.jsonl.Truncate(o.rec.size); terr == nil {
			_, _ = o.jsonl.Seek(o.rec.size, io.SeekStart)
		}
		return fmt.Errorf("append to %s: %w", PredictionsFile, err)
	}
	o.rec.add(recordLine(rec), line)
	if rec.Image != "" {
		o.prune.written(rec.Seq)
	}
	return nil
}

// Close syncs the predictions file, checkpoints it, closes it and lets
// the name go.
func (o *output) Close() error {
	defer o.release()
	o.checkpoint(o.writing.Load() == 0)
	return errors.Join(o.jsonl.Sync(), o.closeFile())
}

func (o *output) closeFile() error { return o.jsonl.Close() }

// recordLine is what the store reads of rec's line.
func recordLine(rec stream.Record) line {
	l := line{Seq: rec.Seq}
	for _, d := range rec.Detections {
		if d.TrackID > 0 {
			l.Detections = append(l.Detections, trackOf{Label: d.Label, TrackID: d.TrackID})
		}
	}
	return l
}
