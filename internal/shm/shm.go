// Package shm is memory shared between a framewire server and a client on
// the same machine, so that a frame's bytes need not go through a socket.
// The server makes a region: an anonymous memory file, sealed so that
// nobody can size it up or down (which would fault the other side's
// reads), whose first bytes are a random token. The client opens it by a
// path under /proc and checks the token, so that a path that names
// something else on its own machine is never written to. The region is
// cut into equal slots after a header page.
package shm

import (
	"errors"
	"fmt"
)

// headerBytes is the page before slot 0; the token is at its start.
const headerBytes = 4096

// tokenBytes is the length of a region's token.
const tokenBytes = 16

// ErrUnsupported is the error of Create and Open where the system has no
// sealed memory files (anywhere but Linux).
var ErrUnsupported = errors.New("shared memory needs Linux")

// Layout is how a region is cut: Count slots of Size bytes from Offset.
type Layout struct {
	Count  int
	Size   int64
	Offset int64
}

// NewLayout is count slots of size bytes after the header page.
func NewLayout(count int, size int64) Layout {
	return Layout{Count: count, Size: size, Offset: headerBytes}
}

// Bytes is the whole region's length.
func (l Layout) Bytes() int64 { return l.Offset + int64(l.Count)*l.Size }

// check says whether the layout is one a region can have.
func (l Layout) check() error {
	if l.Count <= 0 || l.Size <= 0 || l.Offset < headerBytes {
		return fmt.Errorf("shared memory layout %d slots of %d bytes from %d: want slots and bytes above 0, from %d on", l.Count, l.Size, l.Offset, headerBytes)
	}
	if l.Size > (1<<40)/int64(l.Count) {
		return fmt.Errorf("shared memory of %d slots of %d bytes is too large", l.Count, l.Size)
	}
	return nil
}

// Slots is a mapped region and its layout. Methods are safe for
// concurrent use until Close; Close must not race with them.
type Slots struct {
	layout Layout
	path   string
	token  []byte
	mem    []byte
	close  func() error
}

// Layout is how the region is cut.
func (s *Slots) Layout() Layout { return s.layout }

// Path is where a client opens the region.
func (s *Slots) Path() string { return s.path }

// Token is what the region starts with.
func (s *Slots) Token() []byte { return s.token }

// Slot is the first n bytes of slot i, in the shared memory itself.
func (s *Slots) Slot(i int, n int64) ([]byte, error) {
	if i < 0 || i >= s.layout.Count {
		return nil, fmt.Errorf("shared slot %d: want 0 to %d", i, s.layout.Count-1)
	}
	if n < 0 || n > s.layout.Size {
		return nil, fmt.Errorf("shared slot of %d bytes: want at most %d", n, s.layout.Size)
	}
	start := s.layout.Offset + int64(i)*s.layout.Size
	return s.mem[start : start+n : start+n], nil
}

// Close unmaps the region and closes its file. Nil Slots close as nothing.
func (s *Slots) Close() error {
	if s == nil {
		return nil
	}
	return s.close()
}
