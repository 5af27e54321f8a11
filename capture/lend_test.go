package capture

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"unsafe"

	"github.com/framewire/framewire/capture/frames"
)

// lendingBuffers is a frames.Buffers that counts the buffers it makes
// and lends those given back first.
type lendingBuffers struct {
	mu    sync.Mutex
	free  [][]byte
	made  int
	given int
}

func (b *lendingBuffers) Get(n int) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k := len(b.free); k > 0 && cap(b.free[k-1]) >= n {
		buf := b.free[k-1][:n]
		b.free = b.free[:k-1]
		return buf
	}
	b.made++
	return make([]byte, n)
}

func (b *lendingBuffers) Put(buf []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.given++
	b.free = append(b.free, buf)
}

// Each frame after the first is read straight into a lent buffer, handed
// over as its Pixels: the very bytes of its Image, the same pixels as a
// reader without buffers gives, and never written again by later reads.
func TestFramesAreReadIntoLentBuffers(t *testing.T) {
	path := needVtest(t)
	plain, lending := openReaderT(t, path), openReaderT(t, path)
	bufs := &lendingBuffers{}
	lending.UseBuffers(bufs)
	var kept, copies [][]byte
	for i := range 10 {
		want := readT(t, plain)
		f := readT(t, lending)
		got := f.Image.ToBytes()
		if !bytes.Equal(got, want.Image.ToBytes()) {
			t.Fatalf("frame %d: pixels differ from a reader's without buffers", i)
		}
		if i == 0 {
			continue // read when the source opened, before the buffers came
		}
		px, err := f.Image.DataPtrUint8()
		if err != nil || f.Pixels == nil || unsafe.SliceData(px) != unsafe.SliceData(f.Pixels) || !bytes.Equal(f.Pixels, got) {
			t.Fatalf("frame %d: Pixels (%d bytes) are not its Image's own bytes (%v)", i, len(f.Pixels), err)
		}
		kept, copies = append(kept, f.Pixels), append(copies, bytes.Clone(f.Pixels))
	}
	for i := range kept {
		if !bytes.Equal(kept[i], copies[i]) {
			t.Errorf("frame %d's pixels, handed over, were written by a later read", i+1)
		}
	}
	if bufs.made != 9 || bufs.given != 0 {
		t.Errorf("%d buffers made, %d given back; want 9 (one a frame handed over) and 0", bufs.made, bufs.given)
	}
}

// Buffers given back are read into again: a stream of frames answered in
// turn needs no new buffer a frame.
func TestBuffersGivenBackAreReadIntoAgain(t *testing.T) {
	r := openReaderT(t, needVtest(t))
	bufs := &lendingBuffers{}
	r.UseBuffers(bufs)
	var inFlight [][]byte
	for range 30 {
		if f := readT(t, r); f.Pixels != nil {
			inFlight = append(inFlight, f.Pixels)
		}
		if len(inFlight) > 2 { // a window of two frames
			bufs.Put(inFlight[0])
			inFlight = inFlight[1:]
		}
	}
	if bufs.made > 3 {
		t.Errorf("%d buffers made for 30 frames, two in flight; want at most 3", bufs.made)
	}
}

func openReaderT(t *testing.T, path string) *VideoReader {
	t.Helper()
	r, err := openVideo(path, Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func readT(t *testing.T, r frames.Reader) frames.Frame {
	t.Helper()
	f, err := r.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f
}
