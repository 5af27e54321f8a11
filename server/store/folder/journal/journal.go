// Package journal keeps a stream folder's predictions.jsonl, one JSON line
// per frame, and beside it a checkpoint of what its first bytes record,
// so that reopening a long run reads only the lines after it. The file
// stays the truth: a checkpoint that is missing, unreadable or does not
// match the bytes it covers is ignored. Damaged lines (not a frame's JSON
// object, or a frame's second line) are set aside in a file of their own
// and the file rewritten without them, atomically; their frames are then
// not done.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// FileName is the predictions file's name in its folder.
const FileName = record.PredictionsFile

// File is one stream folder's predictions file, open for appending. Its
// methods are called from one goroutine.
type File struct {
	root *os.Root
	dir  string
	log  *slog.Logger
	f    *os.File
	rec  *recorded // what f records; rec.size is its length
}

// Open opens (creating it) the predictions file of root's folder dir and
// reads what it records: after its checkpoint when that fits, else all of
// it. Damaged lines are set aside and a torn last line (a crash in the
// middle of a write) is cut. Temporary files a crash left in dir are
// removed, unless the checkpoint says the last call closed cleanly. log
// hears what was set aside.
func Open(root *os.Root, dir string, log *slog.Logger) (*File, error) {
	f, rec, err := loadPredictions(root, dir, log)
	if err != nil {
		return nil, err
	}
	j := &File{root: root, dir: dir, log: log, f: f, rec: rec}
	_ = j.sync(false) // logged; not clean until Close: the caller writes files
	return j, nil
}

// Frames lists the frames recorded, as sorted half-open ranges.
func (j *File) Frames() []*pb.SeqRange { return j.rec.frames() }

// LastTrackID is the highest track id recorded.
func (j *File) LastTrackID() int64 { return j.rec.lastTrackID }

// TrackCounts is the number of distinct track ids recorded per label.
func (j *File) TrackCounts() map[string]int64 { return j.rec.tracks.Counts() }

// Append records rec as one line, in one write; a failed write is cut
// back, so the file never keeps half a line.
func (j *File) Append(rec record.Frame) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode prediction line: %w", err)
	}
	line = append(line, '\n')
	if _, err := j.f.Write(line); err != nil {
		if terr := j.f.Truncate(j.rec.size); terr == nil {
			_, _ = j.f.Seek(j.rec.size, io.SeekStart)
		}
		return fmt.Errorf("append to %s: %w", FileName, err)
	}
	j.rec.add(lineOf(rec), line)
	return nil
}

// Close syncs the file, checkpoints it and closes it. clean says no file
// of the folder is being written: the next open need not look for
// temporary files.
func (j *File) Close(clean bool) error {
	return errors.Join(j.sync(clean), j.f.Close())
}

// sync syncs the file and then records what it holds in its checkpoint.
// The checkpoint only speeds up the next open, so a failure is logged;
// the error returned is the file's sync's.
func (j *File) sync(clean bool) error {
	err := j.f.Sync()
	cerr := err
	if err == nil {
		cerr = writeCheckpoint(j.root, j.dir, j.rec, clean)
	}
	if cerr != nil {
		j.log.Warn("no checkpoint of predictions.jsonl; the next open reads it whole", "stream", j.dir, "err", rootfile.ExplainLinks(j.root, cerr))
	}
	return err
}

// lineOf is what the journal reads of rec's line.
func lineOf(rec record.Frame) line {
	l := line{Seq: rec.Seq}
	for _, d := range rec.Detections {
		if d.TrackID > 0 {
			l.Detections = append(l.Detections, trackOf{Label: d.Label, TrackID: d.TrackID})
		}
	}
	return l
}
