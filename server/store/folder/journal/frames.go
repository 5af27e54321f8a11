package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/framewire/framewire/proto/record"
)

// RecordedFrames calls fn with every frame the file records from byte
// from on (0: all of it; else the end of a line, as Mark gave it), in the
// order of its lines (the order they were recorded).
func (j *File) RecordedFrames(from int64, fn func(record.Frame) error) error {
	if from < 0 || from > j.rec.size {
		return fmt.Errorf("read back %s from byte %d: the file has %d", FileName, from, j.rec.size)
	}
	r := bufio.NewReaderSize(io.NewSectionReader(j.f, from, j.rec.size-from), 1<<16)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var f record.Frame
			if jerr := json.Unmarshal(line, &f); jerr != nil {
				return fmt.Errorf("read back %s: %w", FileName, jerr)
			}
			if ferr := fn(f); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read back %s: %w", FileName, err)
		}
	}
}

// Sync makes the lines appended so far durable.
func (j *File) Sync() error {
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", FileName, err)
	}
	return nil
}

// Mark is the length of the lines recorded so far and their CRC-32C
// (Castagnoli).
func (j *File) Mark() (size int64, crc uint32) { return j.rec.size, j.rec.crc }

// PrefixCRC is the CRC-32C (Castagnoli) of r's first size bytes, as Mark
// gives it.
func PrefixCRC(r io.ReaderAt, size int64) (uint32, error) { return prefixCRC(r, size) }
