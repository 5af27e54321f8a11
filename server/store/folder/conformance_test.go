package folder_test

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

// The folder store passes the suite every store passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		NewPlace: func(t *testing.T) string { return t.TempDir() },
		Open: func(t *testing.T, dir string) core.Store {
			s, err := folder.New(dir, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Lines: readLines,
		Image: func(t *testing.T, dir, name string, seq int64) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, name, folder.ImageName(seq)))
		},
		Damage: func(t *testing.T, dir, name string, raw []byte) {
			f, err := os.OpenFile(filepath.Join(dir, name, record.PredictionsFile), os.O_WRONLY|os.O_APPEND, 0)
			if err == nil {
				_, err = f.Write(raw)
				err = errors.Join(err, f.Close())
			}
			if err != nil {
				t.Fatal(err)
			}
		},
		SetAside: func(t *testing.T, dir, name string) []byte {
			files, _ := filepath.Glob(filepath.Join(dir, name, "predictions.damaged-*.jsonl"))
			var all []byte
			for _, f := range files {
				b, _ := os.ReadFile(f)
				all = append(all, b...)
			}
			return all
		},
	})
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
