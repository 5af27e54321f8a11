package folder

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path"
	"sort"
	"sync/atomic"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/eventlog"
	"github.com/framewire/framewire/server/store/folder/journal"
	"github.com/framewire/framewire/server/store/folder/video"
)

var (
	_ core.Output   = (*output)(nil)
	_ core.EventLog = (*output)(nil)
)

// output is one stream's folder, held by one call: one <seq>.jpg per frame
// and predictions.jsonl with one line per frame. Images are written to a
// temporary name and renamed, so a final name never holds a partial file.
// WriteImage is safe for concurrent use; the other methods are called from
// one goroutine.
type output struct {
	name  string
	root  *os.Root // the store's; the folder is root's name
	jsonl *journal.File
	// done lists the sequence numbers already recorded when the folder was
	// opened, as sorted half-open ranges.
	done []*pb.SeqRange
	// lastTrackID is the highest track id recorded when the folder was
	// opened; a resumed tracked run numbers its tracks above it.
	lastTrackID int64
	// trackCounts are the distinct track ids per label recorded then.
	trackCounts map[string]int64
	writing     atomic.Int64 // images being written

	log    *slog.Logger
	events *eventlog.Log // nil until KeepEvents

	owner   *owner
	release func()       // lets the name go
	prune   *imagePruner // nil keeps every image

	// video makes the stream's video; nil when it has none. recorded
	// counts the frames recorded, of frameCount (0: unknown), to tell
	// when a file's video is whole.
	video      *video.Recorder
	recorded   int64
	frameCount int64
	// pixels holds the annotated frames' pixels from WriteImage's side
	// until their Append gives them to the video.
	pixels framePixels
}

// openOutput creates or reopens the stream folder name in root and its
// predictions file (journal.Open).
func openOutput(root *os.Root, name string, log *slog.Logger) (*output, error) {
	if err := root.MkdirAll(name, rootfile.DirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", rootfile.ExplainLinks(root, err))
	}
	j, err := journal.Open(root, name, log)
	if err != nil {
		return nil, err
	}
	return &output{name: name, root: root, jsonl: j, done: j.Frames(), log: log,
		lastTrackID: j.LastTrackID(), trackCounts: j.TrackCounts()}, nil
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
	o.writing.Add(1)
	defer o.writing.Add(-1)
	if err := rootfile.WriteAtomic(o.root, o.name, ImageName(seq), data); err != nil {
		return "", fmt.Errorf("write image %d: %w", seq, rootfile.ExplainLinks(o.root, err))
	}
	return path.Join(o.name, ImageName(seq)), nil
}

// Append records rec as one line of predictions.jsonl.
func (o *output) Append(rec record.Frame) error {
	if err := o.jsonl.Append(rec); err != nil {
		return err
	}
	o.recorded++
	switch {
	case rec.Image == "":
	case o.video != nil:
		o.video.Add(o.pixels.attach(videoFrame(rec))) // its JPEG goes once in a segment or given up
	default:
		o.prune.written(rec.Seq)
	}
	return nil
}

// RecordedFrames calls fn with every recorded frame after from (nil:
// all), in the order recorded.
func (o *output) RecordedFrames(from *core.CountCheckpoint, fn func(record.Frame) error) error {
	var off int64
	if from != nil {
		off = from.Frames
	}
	return o.jsonl.RecordedFrames(off, fn)
}

// KeepEvents opens events.jsonl holding exactly evs after from
// (eventlog.Open).
func (o *output) KeepEvents(from *core.CountCheckpoint, evs []record.Event) error {
	if o.events != nil {
		return errors.New("events.jsonl is already open")
	}
	l, err := eventlog.Open(o.root, o.name, eventsPrefix(from), evs, o.log)
	if err != nil {
		return err
	}
	o.events = l
	return nil
}

// eventsPrefix is the part of events.jsonl from covers (none when nil).
func eventsPrefix(from *core.CountCheckpoint) eventlog.Prefix {
	if from == nil {
		return eventlog.Prefix{}
	}
	return eventlog.Prefix{Size: from.Events, CRC: from.EventsCRC}
}

// AppendEvents syncs predictions.jsonl, then appends evs to events.jsonl,
// so that no event is durable before its frame.
func (o *output) AppendEvents(evs []record.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if o.events == nil {
		return errors.New("events.jsonl is not open (KeepEvents)")
	}
	if err := o.jsonl.Sync(); err != nil {
		return err
	}
	return o.events.Append(evs)
}

// Close finishes the video's segments, syncs, checkpoints and closes the predictions file (and the
// events file) and lets the name go.
func (o *output) Close() error {
	defer o.release()
	if o.video != nil {
		o.video.Close(o.frameCount > 0 && o.recorded >= o.frameCount)
	}
	var err error
	if o.events != nil {
		err = o.events.Close()
	}
	return errors.Join(err, o.closeFile())
}

// closeFile closes the predictions file, clean when no image is being
// written.
func (o *output) closeFile() error { return o.jsonl.Close(o.writing.Load() == 0) }
