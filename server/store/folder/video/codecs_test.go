package video

import (
	"strings"
	"testing"
	"testing/fstest"
)

// An initialisation size an index gives that no segment could have is
// refused, with an error naming it, before anything is allocated.
func TestReadInitRefusesAnAbsurdSize(t *testing.T) {
	fsys := fstest.MapFS{"v/00000.mp4": {Data: make([]byte, 2000)}}
	for _, size := range []int64{-1, 1 << 40, 2001} {
		_, err := ReadInit(fsys, "v", Segment{File: "00000.mp4", InitBytes: size})
		if err == nil || !strings.Contains(err.Error(), "initialisation section") {
			t.Errorf("init of %d bytes: error %v, want one about the initialisation section", size, err)
		}
	}
	if b, err := ReadInit(fsys, "v", Segment{File: "00000.mp4", InitBytes: 700}); err != nil || len(b) != 700 {
		t.Errorf("init of 700 bytes: %d read, %v", len(b), err)
	}
}
