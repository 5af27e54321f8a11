package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/proto/record"
)

// readRecords reads the frames of dir/predictions.jsonl that succeeded,
// in file order.
func readRecords(dir string) ([]record.Frame, error) {
	f, err := os.Open(filepath.Join(dir, record.PredictionsFile))
	if err != nil {
		return nil, fmt.Errorf("read stream folder: %w", err)
	}
	defer f.Close()
	return decodeRecords(f, f.Name())
}

// decodeRecords reads the JSON lines of r, the file name, keeping the
// records without an error.
func decodeRecords(r io.Reader, name string) ([]record.Frame, error) {
	var recs []record.Frame
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	for n := 1; sc.Scan(); n++ {
		var r record.Frame
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, n, err)
		}
		if r.Error == "" {
			recs = append(recs, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return recs, nil
}
