package folder

import (
	"errors"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/countfile"
)

// CountCheckpointFile, in a stream's folder, is counting's checkpoint
// (package countfile).
const CountCheckpointFile = countfile.Name

// CountCheckpoint reads the folder's counting checkpoint and checks it
// against the files as opened (core.EventLog).
func (o *output) CountCheckpoint() (core.CountCheckpoint, bool) {
	size, crc := o.jsonl.Mark()
	return countfile.Read(o.root, o.name, size, crc)
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
	return countfile.Write(o.root, o.name, core.CountCheckpoint{Frames: fs, FramesCRC: fc, Events: ev.Size, EventsCRC: ev.CRC, State: state})
}
