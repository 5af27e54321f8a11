package folder

import (
	"os"
	"path/filepath"
)

// imagePruner keeps the JPEGs of a live stream's last keep written frames
// and removes older ones, so that a camera left running does not fill the
// disk. Its predictions lines stay (their image field then names a file
// that was removed). Used from the stream's sender only.
type imagePruner struct {
	dir  *output
	keep int
	seqs []int64 // written frames, oldest first; at most keep
}

func newImagePruner(dir *output, keep int) *imagePruner {
	return &imagePruner{dir: dir, keep: keep}
}

// written records that frame seq's image was written and removes the
// oldest one beyond keep. A nil pruner keeps everything.
func (p *imagePruner) written(seq int64) {
	if p == nil {
		return
	}
	p.seqs = append(p.seqs, seq)
	if len(p.seqs) <= p.keep {
		return
	}
	old := p.seqs[0]
	p.seqs = p.seqs[1:]
	// Best effort: an image that cannot be removed stays.
	_ = os.Remove(filepath.Join(p.dir.path, ImageName(old)))
}
