package journal

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
)

// checkpointFile, beside predictions.jsonl, says what the file's first
// Size bytes record, so that reopening a long run reads only the lines
// after them. The folder stays the truth: a checkpoint that is missing,
// unreadable or does not match the file is ignored and the file read
// whole.
const checkpointFile = ".predictions.checkpoint.json"

// checkpoint is what predictions.jsonl recorded in its first Size bytes,
// and their CRC-32C, which tells that those bytes are still the same
// (checking it reads them, but at memory speed, not parsing speed). Clean
// says the call that wrote it closed with no image being written: the
// folder holds no temporary files.
type checkpoint struct {
	Size        int64              `json:"size"`
	Lines       int64              `json:"lines"`
	CRC32C      uint32             `json:"crc32c"`
	Clean       bool               `json:"clean"`
	Done        [][2]int64         `json:"done"`
	LastTrackID int64              `json:"last_track_id"`
	Tracks      map[string][]int64 `json:"tracks,omitempty"`
}

// fit is how a checkpoint matches the predictions file.
type fit int

const (
	fitNone   fit = iota // read the whole file
	fitPrefix            // the file grew after it: read from Size on
	fitExact             // the file is as it was
)

// readCheckpoint reads the checkpoint in root's dir; ok is false when
// there is none or it cannot be read.
func readCheckpoint(root *os.Root, dir string) (c checkpoint, ok bool) {
	b, err := root.ReadFile(path.Join(dir, checkpointFile))
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, false
	}
	return c, true
}

// fits says how c matches f.
func (c checkpoint) fits(f *os.File) fit {
	fi, err := f.Stat()
	if err != nil || fi.Size() < c.Size {
		return fitNone
	}
	if sum, err := prefixCRC(f, c.Size); err != nil || sum != c.CRC32C {
		return fitNone
	}
	if fi.Size() > c.Size {
		return fitPrefix
	}
	return fitExact
}

// recorded is what c says the file's first c.Size bytes record.
func (c checkpoint) recorded() *recorded {
	rec := &recorded{lastTrackID: c.LastTrackID, lines: c.Lines, size: c.Size, crc: c.CRC32C}
	for _, r := range c.Done {
		rec.done = append(rec.done, &pb.SeqRange{Start: r[0], End: r[1]})
	}
	for label, ids := range c.Tracks {
		for _, id := range ids {
			rec.tracks.Add(label, id)
		}
	}
	return rec
}

// writeCheckpoint records rec, what the predictions file holds, in
// root's dir. The file must be synced first: a checkpoint covers only
// what is on disk.
func writeCheckpoint(root *os.Root, dir string, rec *recorded, clean bool) error {
	c := checkpoint{Size: rec.size, Lines: rec.lines, CRC32C: rec.crc, Clean: clean,
		LastTrackID: rec.lastTrackID, Tracks: rec.tracks.IDs()}
	for _, r := range rec.frames() {
		c.Done = append(c.Done, [2]int64{r.Start, r.End})
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if err := rootfile.WriteAtomic(root, dir, checkpointFile, b); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}

// prefixCRC is the CRC-32C of f's first size bytes.
func prefixCRC(f io.ReaderAt, size int64) (uint32, error) {
	h := crc32.New(crcTable())
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, size), make([]byte, 1<<20)); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}
