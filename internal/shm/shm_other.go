//go:build !linux

package shm

// Create fails: only Linux has sealed memory files.
func Create(l Layout) (*Slots, error) { return nil, ErrUnsupported }

// Open fails: only Linux has sealed memory files.
func Open(path string, token []byte, l Layout) (*Slots, error) { return nil, ErrUnsupported }
