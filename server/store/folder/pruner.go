package folder

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
)

// imagePruner keeps the JPEGs of a live stream's last keep written frames
// and removes older ones, so that a camera left running does not fill the
// disk. Its predictions lines stay (their image field then names a file
// that was removed). Used from the stream's sender, and from its video's
// goroutine when it has one (the JPEGs go once in a segment or given up).
type imagePruner struct {
	mu   sync.Mutex
	dir  *output
	keep int
	seqs []int64 // written frames, oldest first; at most keep
}

// newImagePruner prunes dir's images, starting with those already in it
// up to frame upTo (a live run that reconnected), oldest first by their
// frame names.
func newImagePruner(dir *output, keep int, upTo int64) *imagePruner {
	p := &imagePruner{dir: dir, keep: keep}
	entries, _ := fs.ReadDir(dir.root.FS(), dir.name) // sorted by name: by frame number
	for _, e := range entries {
		if seq, ok := imageSeq(e.Name()); ok && seq <= upTo {
			p.add(seq)
		}
	}
	return p
}

// imageSeq is the frame number of an image file name, false for other
// files.
func imageSeq(name string) (int64, bool) {
	num, ok := strings.CutSuffix(name, ".jpg")
	seq, err := strconv.ParseInt(num, 10, 64)
	return seq, ok && err == nil && ImageName(seq) == name
}

// written records that frame seq's image was written and removes the
// oldest one beyond keep. A nil pruner keeps everything.
func (p *imagePruner) written(seq int64) {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.add(seq)
	}
}

// add keeps seq as the newest image and removes the oldest beyond keep.
func (p *imagePruner) add(seq int64) {
	p.seqs = append(p.seqs, seq)
	if len(p.seqs) <= p.keep {
		return
	}
	old := p.seqs[0]
	p.seqs = p.seqs[1:]
	// Best effort: an image that cannot be removed stays.
	_ = p.dir.root.Remove(path.Join(p.dir.name, ImageName(old)))
}
