package eventlog

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/proto/record"
)

func evs(ids ...string) []record.Event {
	var out []record.Event
	for i, id := range ids {
		out = append(out, record.Event{ID: id, Stream: "s", Kind: record.KindLineCrossed, Seq: int64(i)})
	}
	return out
}

func open(t *testing.T, root *os.Root, want []record.Event) {
	t.Helper()
	l, err := Open(root, "s", Prefix{}, want, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func ids(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "s", record.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, l[strings.Index(l, `"id":"`)+6:][:1])
	}
	return strings.Join(out, "")
}

// Opening keeps the lines that match, appends what is missing, and cuts a
// torn or foreign tail before writing the right events again.
func TestOpenHealsTheTail(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	open(t, root, evs("a", "b"))
	if got := ids(t, dir); got != "ab" {
		t.Fatalf("new file: ids %q, want ab", got)
	}
	path := filepath.Join(dir, "s", record.EventsFile)
	before, _ := os.ReadFile(path)
	open(t, root, evs("a", "b", "c"))
	after, _ := os.ReadFile(path)
	if got := ids(t, dir); got != "abc" || !strings.HasPrefix(string(after), string(before)) {
		t.Fatalf("reopened with one more: ids %q, want abc, the first lines untouched", got)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"x","str`) // torn last line
	f.Close()
	open(t, root, evs("a", "b", "c", "d"))
	if got := ids(t, dir); got != "abcd" {
		t.Fatalf("torn tail: ids %q, want abcd", got)
	}
	open(t, root, evs("a", "b")) // events of frames whose lines were lost
	if got := ids(t, dir); got != "ab" {
		t.Fatalf("fewer frames: ids %q, want ab", got)
	}
}
