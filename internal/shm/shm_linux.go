package shm

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// seals keep a region's size as it was made: a shrunk file would fault
// the mapped reads and writes beyond its new end.
const seals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL

// Create makes a region of l's layout in this process, sealed against
// resizing, with a fresh token, and maps it.
func Create(l Layout) (*Slots, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("framewire-frames", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("make shared memory: %w", err)
	}
	s, err := createOn(fd, l)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

// createOn sizes, seals, maps and signs the memory file fd.
func createOn(fd int, l Layout) (*Slots, error) {
	if err := unix.Ftruncate(fd, l.Bytes()); err != nil {
		return nil, fmt.Errorf("size shared memory to %d bytes: %w", l.Bytes(), err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return nil, fmt.Errorf("seal shared memory: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, int(l.Bytes()), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map shared memory: %w", err)
	}
	token := make([]byte, tokenBytes)
	_, _ = crand.Read(token) // never fails on Linux
	copy(mem, token)
	path := fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), fd)
	return newSlots(l, path, token, mem, fd), nil
}

// newSlots is a mapped region whose Close unmaps mem and closes fd.
func newSlots(l Layout, path string, token, mem []byte, fd int) *Slots {
	return &Slots{layout: l, path: path, token: token, mem: mem, close: func() error {
		return errors.Join(unix.Munmap(mem), unix.Close(fd))
	}}
}

// Open maps the region at path, made by Create with layout l in another
// process of this machine, when it is a sealed memory file of l's size
// that starts with token.
func Open(path string, token []byte, l Layout) (*Slots, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	if err := isRegular(path); err != nil {
		return nil, err
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("open shared memory %s: %w", path, err)
	}
	s, err := openOn(fd, path, token, l)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

// isRegular checks, before opening it, that path is a regular file (not
// a pipe, socket or device, whose opening could block or act).
func isRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open shared memory: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("open shared memory: %s is not a memory file", path)
	}
	return nil
}

// openOn checks the opened file fd and maps it.
func openOn(fd int, path string, token []byte, l Layout) (*Slots, error) {
	if err := checkFile(fd, path, l); err != nil {
		return nil, err
	}
	mem, err := unix.Mmap(fd, 0, int(l.Bytes()), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map shared memory %s: %w", path, err)
	}
	if len(token) != tokenBytes || !bytes.Equal(mem[:tokenBytes], token) {
		unix.Munmap(mem)
		return nil, fmt.Errorf("shared memory %s is not the server's: its token differs", path)
	}
	return newSlots(l, path, bytes.Clone(token), mem, fd), nil
}

// checkFile checks that fd is a regular file of l's size, sealed against
// shrinking.
func checkFile(fd int, path string, l Layout) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("shared memory %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != l.Bytes() {
		return fmt.Errorf("shared memory %s: %d bytes, want a memory file of %d", path, st.Size, l.Bytes())
	}
	got, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil || got&unix.F_SEAL_SHRINK == 0 {
		return fmt.Errorf("shared memory %s is not sealed against shrinking", path)
	}
	return nil
}
