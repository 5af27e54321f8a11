package server

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"

	pb "github.com/framewire/framewire/proto"
)

// maxStreamName is the longest stream name accepted, in bytes.
const maxStreamName = 128

// predictionsFile is the name of the per-stream JSON Lines file.
const predictionsFile = "predictions.jsonl"

// tmpPrefix starts the names of images being written; a crash can leave
// such files behind, and reopening the folder removes them.
const tmpPrefix = ".tmp-"

// checkStreamName accepts names made of letters, digits, '.', '_' and '-',
// not starting with '.', so that a name is always one plain folder inside
// the output folder.
func checkStreamName(name string) error {
	if name == "" {
		return errors.New("stream name is empty")
	}
	if len(name) > maxStreamName {
		return fmt.Errorf("stream name is %d bytes long, the limit is %d", len(name), maxStreamName)
	}
	if name[0] == '.' {
		return fmt.Errorf("stream name %q must not start with '.'", name)
	}
	if name == unaryFolder {
		return fmt.Errorf("stream name %q is reserved for the output of DetectFrame calls", name)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("stream name %q has %q: only letters, digits, '.', '_' and '-' are allowed", name, c)
		}
	}
	return nil
}

// unaryFolder holds the images of DetectFrame calls, apart from every
// stream's folder.
const unaryFolder = "_unary"

// streamDir is one stream's output folder: one <seq>.jpg per frame and
// predictions.jsonl with one line per frame. Images are written to a
// temporary name and renamed, so a final name never holds a partial file.
// writeImage is safe for concurrent use; appendLine and Close are called
// from one goroutine.
type streamDir struct {
	path  string
	jsonl *os.File
	size  int64 // bytes of complete lines in jsonl
	// done lists the sequence numbers already recorded when the folder was
	// opened, as sorted half-open ranges.
	done []*pb.SeqRange
	// lastTrackID is the highest track id recorded when the folder was
	// opened; a resumed tracked run numbers its tracks above it.
	lastTrackID int64
}

// openStreamDir creates or reopens the stream folder path. A predictions
// file that ends in a torn line (a crash in the middle of a write) is cut
// back to its last complete line.
func openStreamDir(path string) (*streamDir, error) {
	if err := os.MkdirAll(path, dirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	stale, _ := filepath.Glob(filepath.Join(path, tmpPrefix+"*"))
	for _, f := range stale {
		os.Remove(f)
	}
	f, err := os.OpenFile(filepath.Join(path, predictionsFile), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open predictions file: %w", err)
	}
	rec, err := repairPredictions(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return &streamDir{path: path, jsonl: f, size: rec.size, done: seqRanges(rec.seqs), lastTrackID: rec.lastTrackID}, nil
}

// recorded is what a predictions file holds: its frames' sequence
// numbers, the highest track id and the size of its complete lines.
type recorded struct {
	seqs        []int64
	lastTrackID int64
	size        int64
}

// add takes one complete line.
func (rec *recorded) add(line []byte) {
	rec.size += int64(len(line))
	var l struct {
		Seq        *int64 `json:"seq"`
		Detections []struct {
			TrackID int64 `json:"track_id"`
		} `json:"detections"`
	}
	if json.Unmarshal(bytes.TrimSpace(line), &l) != nil || l.Seq == nil {
		return
	}
	rec.seqs = append(rec.seqs, *l.Seq)
	for _, d := range l.Detections {
		rec.lastTrackID = max(rec.lastTrackID, d.TrackID)
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

// hasDone reports whether seq was recorded when the folder was opened.
func (d *streamDir) hasDone(seq int64) bool {
	i := sort.Search(len(d.done), func(i int) bool { return d.done[i].End > seq })
	return i < len(d.done) && d.done[i].Start <= seq
}

// imageName is the file name of frame seq's annotated image.
func imageName(seq int64) string {
	return fmt.Sprintf("%08d.jpg", seq)
}

// writeImage writes data as the image of frame seq, atomically.
func (d *streamDir) writeImage(seq int64, data []byte) error {
	if err := writeFileAtomic(d.path, imageName(seq), data); err != nil {
		return fmt.Errorf("write image %d: %w", seq, err)
	}
	return nil
}

// Modes of what the server writes; the process's umask applies, so that
// images, predictions and manifests get the same permissions.
const (
	fileMode fs.FileMode = 0o666
	dirMode  fs.FileMode = 0o777
)

// writeFileAtomic writes data to dir/name through a temporary file in dir
// (named with tmpPrefix, swept when a stream folder reopens), so that name
// never holds a partial file.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := createTemp(dir)
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// createTemp creates a new file in dir with a random tmpPrefix name and
// fileMode (os.CreateTemp would make it 0600 whatever the umask).
func createTemp(dir string) (*os.File, error) {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, tmpPrefix+hex.EncodeToString(b[:])), os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// appendLine appends one complete line (with its newline) in one write. A
// failed write is cut back, so the file never keeps half a line.
func (d *streamDir) appendLine(line []byte) error {
	if _, err := d.jsonl.Write(line); err != nil {
		if terr := d.jsonl.Truncate(d.size); terr == nil {
			_, _ = d.jsonl.Seek(d.size, io.SeekStart)
		}
		return fmt.Errorf("append to %s: %w", predictionsFile, err)
	}
	d.size += int64(len(line))
	return nil
}

// Close closes the predictions file.
func (d *streamDir) Close() error {
	return d.jsonl.Close()
}

// checkDirWritable creates dir if needed and proves a file can be made in it.
func checkDirWritable(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
