// Package countfile reads and writes a stream folder's counting
// checkpoint: counting's state after the frames of predictions.jsonl's
// first bytes and the events of events.jsonl's, with their CRC-32C. The
// files stay the truth: a checkpoint that is missing, damaged or covers
// other bytes than the files hold is ignored, and counting replays them
// whole.
package countfile

import (
	"encoding/json"
	"fmt"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/journal"
)

// Name is the checkpoint's file name in a stream's folder.
const Name = ".count.checkpoint.json"

// file is the checkpoint's JSON.
type file struct {
	Frames    int64           `json:"predictions_size"`
	FramesCRC uint32          `json:"predictions_crc32c"`
	Events    int64           `json:"events_size"`
	EventsCRC uint32          `json:"events_crc32c"`
	State     json.RawMessage `json:"state"`
}

// Read reads the checkpoint of the stream folder dir in root and checks
// it against the folder's files, predictions.jsonl being size bytes long
// with CRC-32C crc as opened (so a checkpoint of the whole file, the
// usual case after a clean close, costs no second read of it); false when
// there is none that holds.
func Read(root *os.Root, dir string, size int64, crc uint32) (core.CountCheckpoint, bool) {
	b, err := root.ReadFile(path.Join(dir, Name))
	var c file
	if err != nil || json.Unmarshal(b, &c) != nil || len(c.State) == 0 || c.Frames > size {
		return core.CountCheckpoint{}, false
	}
	whole := c.Frames == size && c.FramesCRC == crc
	if !whole && !prefixHolds(root, dir, journal.FileName, c.Frames, c.FramesCRC) ||
		!prefixHolds(root, dir, record.EventsFile, c.Events, c.EventsCRC) {
		return core.CountCheckpoint{}, false
	}
	return core.CountCheckpoint{State: c.State, Frames: c.Frames, FramesCRC: c.FramesCRC,
		Events: c.Events, EventsCRC: c.EventsCRC}, true
}

// prefixHolds says whether dir's file name is at least size bytes long
// and their CRC-32C is crc.
func prefixHolds(root *os.Root, dir, name string, size int64, crc uint32) bool {
	f, err := root.Open(path.Join(dir, name))
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

// Write writes cp as the checkpoint of the stream folder dir in root,
// atomically.
func Write(root *os.Root, dir string, cp core.CountCheckpoint) error {
	b, err := json.Marshal(file{Frames: cp.Frames, FramesCRC: cp.FramesCRC, Events: cp.Events, EventsCRC: cp.EventsCRC, State: cp.State})
	if err != nil {
		return fmt.Errorf("encode the counting checkpoint: %w", err)
	}
	if err := rootfile.WriteAtomic(root, dir, Name, b); err != nil {
		return fmt.Errorf("write the counting checkpoint: %w", rootfile.ExplainLinks(root, err))
	}
	return nil
}
