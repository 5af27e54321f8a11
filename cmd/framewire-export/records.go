package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/stream"
)

// readRecords reads the frames of dir/predictions.jsonl that succeeded,
// in file order.
func readRecords(dir string) ([]stream.Record, error) {
	f, err := os.Open(filepath.Join(dir, "predictions.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("read stream folder: %w", err)
	}
	defer f.Close()
	var recs []stream.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	for n := 1; sc.Scan(); n++ {
		var r stream.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", f.Name(), n, err)
		}
		if r.Error == "" {
			recs = append(recs, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return recs, nil
}
