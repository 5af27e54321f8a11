package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/framewire/framewire/proto/record"
)

// RecordedFrames calls fn with every frame the file records, in the
// order of its lines (the order they were recorded), reading it whole.
func (j *File) RecordedFrames(fn func(record.Frame) error) error {
	r := bufio.NewReaderSize(io.NewSectionReader(j.f, 0, j.rec.size), 1<<16)
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
