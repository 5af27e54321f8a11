// Package foldertest gives the conformance suite (storetest) its view of
// the folder store: where a reader finds the lines, images and what was
// set aside, and how a crash damages a line. The folder store's own test
// and the server's test of every store scheme run the suite with it.
package foldertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/server/store/storetest"
)

// Backend is the folder store for storetest.Run, each place a new
// folder, opened there by open.
func Backend(open func(t *testing.T, dir string) core.Store) storetest.Backend {
	return storetest.Backend{
		NewPlace: func(t *testing.T) string { return t.TempDir() },
		Open:     open,
		Lines:    readLines,
		Image: func(t *testing.T, dir, name string, seq int64) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, name, folder.ImageName(seq)))
		},
		Damage:   damage,
		SetAside: setAside,
	}
}

// Open opens the folder store in dir, closed when t ends.
func Open(t *testing.T, dir string) core.Store {
	s, err := folder.New(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// readLines reads stream name's predictions.jsonl as the exporter does.
func readLines(t *testing.T, dir, name string) []record.Frame {
	b, err := os.ReadFile(filepath.Join(dir, name, record.PredictionsFile))
	if err != nil {
		t.Fatal(err)
	}
	var lines []record.Frame
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var l record.Frame
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s/%s line %d: %v", name, record.PredictionsFile, len(lines)+1, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// damage appends raw to stream name's predictions.jsonl.
func damage(t *testing.T, dir, name string, raw []byte) {
	f, err := os.OpenFile(filepath.Join(dir, name, record.PredictionsFile), os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.Write(raw)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// setAside is every predictions.damaged-*.jsonl of stream name.
func setAside(t *testing.T, dir, name string) []byte {
	files, err := filepath.Glob(filepath.Join(dir, name, "predictions.damaged-*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
