package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// Store keeps the output of streams: one output per stream name, owned by
// one call at a time, among every server that shares the store. Safe for
// concurrent use.
type Store interface {
	// Open takes name for the call of run and opens its output, as policy
	// says when the name holds another run; the Output's Name says which
	// name was used (EXIST_INCREMENT may choose another).
	Open(ctx context.Context, name string, run record.Run, policy pb.ExistPolicy) (Output, error)
	// WriteUnaryImage keeps the image of a DetectFrame call apart from
	// every stream's output and returns its path.
	WriteUnaryImage(name string, seq int64, jpeg []byte) (string, error)
}

// Output is one stream's output, held by one call. WriteImage is safe for
// concurrent use; the other methods are called from one goroutine.
type Output interface {
	// Name is the stream name the output is kept under.
	Name() string
	// Done lists the frames recorded when the output was opened, as sorted
	// half-open ranges; Recorded says whether seq is one of them.
	Done() []*pb.SeqRange
	Recorded(seq int64) bool
	// Resumed says the output already held this run's frames.
	Resumed() bool
	// LastTrackID is the highest track id recorded when it was opened, and
	// TrackCounts the number of distinct track ids per label then.
	LastTrackID() int64
	TrackCounts() map[string]int64
	// WriteImage keeps frame seq's annotated JPEG and returns its path
	// relative to the store ("name/00000012.jpg").
	WriteImage(seq int64, jpeg []byte) (string, error)
	// Append records one frame's result; after it the frame is done.
	Append(rec record.Frame) error
	// Evicted is closed when a newer call of the same run takes the name.
	Evicted() <-chan struct{}
	// Close lets the name go.
	Close() error
}

// EventLog is an Output that keeps a stream's events (events.jsonl) and
// reads back its recorded frames, for counting rules. Its methods are
// called from the output's goroutine.
type EventLog interface {
	// CountCheckpoint is the checkpoint SaveCountCheckpoint last saved,
	// when the files still hold, byte for byte, what it covers; ok is
	// false when there is none, it is damaged, or the files changed.
	CountCheckpoint() (cp CountCheckpoint, ok bool)
	// RecordedFrames calls fn with every frame recorded when the output
	// was opened, in the order they were recorded: those after from
	// (from CountCheckpoint), or all of them when from is nil.
	RecordedFrames(from *CountCheckpoint, fn func(record.Frame) error) error
	// KeepEvents makes the events file hold exactly evs after from (nil:
	// from its start), the events of the recorded frames after it: its
	// lines that match are kept, the first that does not and those after
	// it cut (a torn tail, or the events of a frame whose line was lost),
	// and what is missing appended, synced.
	KeepEvents(from *CountCheckpoint, evs []record.Event) error
	// AppendEvents makes the frames recorded so far durable, then appends
	// evs to the events file and syncs it.
	AppendEvents(evs []record.Event) error
	// SaveCountCheckpoint makes the frames recorded so far durable and
	// saves state, what counting them gave, as the checkpoint of the
	// files as they are now, atomically.
	SaveCountCheckpoint(state []byte) error
}

// CountCheckpoint is counting's state saved beside a stream's files
// after some recorded frame, so that opening the stream replays only the
// frames after it. State is the counter's owner's; the rest says where
// in the files it stands, for the store.
type CountCheckpoint struct {
	State []byte
	// Frames and Events are the lengths of the predictions and events
	// files it covers, with their CRC-32C.
	Frames, Events       int64
	FramesCRC, EventsCRC uint32
}

// Errors of Store.Open.
var (
	// ErrNameInUse: a call of another run holds the name.
	ErrNameInUse = errors.New("stream name in use")
	// ErrHeldElsewhere: an earlier call of the same run still holds the
	// name on another server; a retry gets through once it ends.
	ErrHeldElsewhere = errors.New("stream held by an earlier call of this run")
	// ErrNoFreeName: EXIST_INCREMENT found no free name.
	ErrNoFreeName = errors.New("no free stream name")
	// ErrLeavesStore: a path in the store is a link that leads outside
	// it; nothing is written through it.
	ErrLeavesStore = rootfile.ErrLeavesRoot
)

// OtherRunError says the name's output holds another run, and how it
// differs.
type OtherRunError struct {
	Name        string
	Differences []string
}

func (e *OtherRunError) Error() string {
	return fmt.Sprintf("stream %q holds another run: %s", e.Name, strings.Join(e.Differences, "; "))
}
