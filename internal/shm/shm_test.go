//go:build linux

package shm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var testLayout = Layout{Count: 3, Size: 1 << 16, Offset: headerBytes}

func create(t *testing.T) *Slots {
	t.Helper()
	s, err := Create(testLayout)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The client writes through its own mapping of the path, as another
// process would; the server reads the same bytes in its own.
func TestClientWritesWhatServerReads(t *testing.T) {
	server := create(t)
	client, err := Open(server.Path(), server.Token(), testLayout)
	if err != nil {
		t.Fatalf("Open(%s): %v", server.Path(), err)
	}
	defer client.Close()
	want := bytes.Repeat([]byte("frame"), 1000)
	dst, err := client.Slot(2, int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	copy(dst, want)
	got, err := server.Slot(2, int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("server read %q..., want %q...", got[:10], want[:10])
	}
	if other, _ := server.Slot(1, 5); bytes.Equal(other, want[:5]) {
		t.Errorf("slot 1 holds slot 2's bytes: slots overlap")
	}
}

func TestSlotBounds(t *testing.T) {
	s := create(t)
	for _, c := range []struct {
		i int
		n int64
	}{{-1, 1}, {3, 1}, {0, -1}, {0, testLayout.Size + 1}} {
		if _, err := s.Slot(c.i, c.n); err == nil {
			t.Errorf("Slot(%d, %d) = no error, want one (3 slots of %d bytes)", c.i, c.n, testLayout.Size)
		}
	}
	if b, err := s.Slot(2, testLayout.Size); err != nil || len(b) != int(testLayout.Size) || cap(b) != len(b) {
		t.Errorf("Slot(2, whole) = %d bytes (cap %d), %v; want %d, capped", len(b), cap(b), err, testLayout.Size)
	}
}

// Nobody can shrink the server's region under it: the client's open file
// can neither truncate nor grow it.
func TestRegionCannotBeResized(t *testing.T) {
	s := create(t)
	f, err := os.OpenFile(s.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, size := range []int64{0, testLayout.Bytes() + 1} {
		if err := f.Truncate(size); err == nil {
			t.Errorf("truncating the region to %d bytes worked; want it sealed", size)
		}
	}
}

// Open writes to nothing but a sealed region of the right size that
// starts with the token, and never blocks on a path that names a pipe.
func TestOpenRefusesWhatIsNotTheRegion(t *testing.T) {
	s := create(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	content := make([]byte, testLayout.Bytes())
	copy(content, s.Token())
	if err := os.WriteFile(plain, content, 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Repeat([]byte{1}, tokenBytes)
	cases := []struct {
		name, path string
		token      []byte
		layout     Layout
		want       string
	}{
		{"another token", s.Path(), wrong, testLayout, "token differs"},
		{"another size", s.Path(), s.Token(), Layout{Count: 2, Size: 1 << 16, Offset: headerBytes}, "want a memory file"},
		{"an unsealed file", plain, s.Token(), testLayout, "not sealed"},
		{"a pipe", fifo, s.Token(), testLayout, "not a memory file"},
		{"nothing", filepath.Join(dir, "none"), s.Token(), testLayout, "no such file"},
	}
	for _, c := range cases {
		got, err := Open(c.path, c.token, c.layout)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			got.Close()
			t.Errorf("Open(%s) = %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func TestCreateRefusesBadLayouts(t *testing.T) {
	for _, l := range []Layout{{0, 1, headerBytes}, {1, 0, headerBytes}, {1, 1, 0}, {2, 1 << 40, headerBytes}} {
		if s, err := Create(l); err == nil {
			s.Close()
			t.Errorf("Create(%+v) = no error, want one", l)
		}
	}
}
