package folder

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/journal"
)

// CountCheckpointFile, in a stream's folder, is counting's checkpoint:
// its state after the frames of predictions.jsonl's first bytes and the
// events of events.jsonl's, with their CRC-32C. The files stay the
// truth: a checkpoint that is missing, damaged or covers other bytes
// than the files hold is ignored, and counting replays them whole.
const CountCheckpointFile = ".count.checkpoint.json"

// countCheckpoint is CountCheckpointFile's JSON.
type countCheckpoint struct {
	Frames    int64           `json:"predictions_size"`
	FramesCRC uint32          `json:"predictions_crc32c"`
	Events    int64           `json:"events_size"`
	EventsCRC uint32          `json:"events_crc32c"`
	State     json.RawMessage `json:"state"`
}

// CountCheckpoint reads the folder's counting checkpoint and checks it
// against the files as opened (core.EventLog).
func (o *output) CountCheckpoint() (core.CountCheckpoint, bool) {
	b, err := o.root.ReadFile(path.Join(o.name, CountCheckpointFile))
	var c countCheckpoint
	if err != nil || json.Unmarshal(b, &c) != nil || len(c.State) == 0 {
		return core.CountCheckpoint{}, false
	}
	if size, _ := o.jsonl.Mark(); c.Frames > size || !o.prefixHolds(journal.FileName, c.Frames, c.FramesCRC) {
		return core.CountCheckpoint{}, false
	}
	if !o.prefixHolds(record.EventsFile, c.Events, c.EventsCRC) {
		return core.CountCheckpoint{}, false
	}
	return core.CountCheckpoint{State: c.State, Frames: c.Frames, FramesCRC: c.FramesCRC,
		Events: c.Events, EventsCRC: c.EventsCRC}, true
}

// prefixHolds says whether the folder's file name is at least size bytes
// long and their CRC-32C is crc.
func (o *output) prefixHolds(name string, size int64, crc uint32) bool {
	f, err := o.root.Open(path.Join(o.name, name))
	if err != nil {
		return size == 0 && crc == 0
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < size {
		return false
	}
	sum, err := journal.PrefixCRC(f, size)
	return err == nil && sum == crc
}

// SaveCountCheckpoint syncs predictions.jsonl (events.jsonl is synced on
// every append) and writes state as the checkpoint of both files as they
// are, atomically (core.EventLog).
func (o *output) SaveCountCheckpoint(state []byte) error {
	if o.events == nil {
		return errors.New("events.jsonl is not open (KeepEvents)")
	}
	if err := o.jsonl.Sync(); err != nil {
		return err
	}
	fs, fc := o.jsonl.Mark()
	ev := o.events.Mark()
	b, err := json.Marshal(countCheckpoint{Frames: fs, FramesCRC: fc, Events: ev.Size, EventsCRC: ev.CRC, State: state})
	if err != nil {
		return fmt.Errorf("encode the counting checkpoint: %w", err)
	}
	if err := rootfile.WriteAtomic(o.root, o.name, CountCheckpointFile, b); err != nil {
		return fmt.Errorf("write the counting checkpoint: %w", rootfile.ExplainLinks(o.root, err))
	}
	return nil
}
