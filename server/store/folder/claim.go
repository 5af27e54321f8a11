package folder

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// maxIncrement bounds the names EXIST_INCREMENT tries (<name>-2 ...).
const maxIncrement = 10000

// Open takes a name for the call of run and opens its folder. The name
// asked for is used when its folder is empty or holds the same run; when
// it holds another run, policy decides: refuse (*core.OtherRunError),
// overwrite, or try <name>-2, <name>-3, ... A name held by another run's
// call is core.ErrNameInUse (increment moves past it).
func (s *Store) Open(ctx context.Context, name string, run record.Run, policy pb.ExistPolicy) (core.Output, error) {
	if policy != pb.ExistPolicy_EXIST_INCREMENT {
		return s.openName(ctx, name, run, policy)
	}
	for i := 1; i <= maxIncrement; i++ {
		out, err := s.openName(ctx, candidateName(name, i), run, policy)
		var other *core.OtherRunError
		if errors.As(err, &other) || errors.Is(err, core.ErrNameInUse) {
			continue // another run's folder, or in use by another run
		}
		return out, err
	}
	return nil, fmt.Errorf("stream %q: %d folders of that name hold other runs: %w", name, maxIncrement, core.ErrNoFreeName)
}

// candidateName is the i-th name EXIST_INCREMENT tries: base, base-2, ...
func candidateName(base string, i int) string {
	if i == 1 {
		return base
	}
	suffix := fmt.Sprintf("-%d", i)
	return base[:min(len(base), core.MaxStreamName-len(suffix))] + suffix
}

// openName holds name and opens its folder for run.
func (s *Store) openName(ctx context.Context, name string, run record.Run, policy pb.ExistPolicy) (*output, error) {
	w, err := s.owners.acquire(ctx, name, run.RunID)
	if err != nil {
		return nil, err
	}
	out, err := s.openRun(name, run, policy)
	if err != nil {
		s.owners.release(w)
		return nil, err
	}
	out.owner, out.release = w, func() { s.owners.release(w) }
	// The video's pruner, when it has one, leaves the JPEGs of frames in
	// no segment yet to it: they must not go before it recovers them.
	if err := s.openVideo(out, run); err != nil {
		out.Close()
		return nil, err
	}
	if out.prune == nil && s.prunesJPEGs(run) {
		out.prune = newImagePruner(out, s.liveKeep, math.MaxInt64)
	}
	return out, nil
}

// openRun opens name's folder for run: resumed when it holds the same
// run, fresh when it is empty or overwritten.
func (s *Store) openRun(name string, run record.Run, policy pb.ExistPolicy) (*output, error) {
	had, differences, err := sameRun(s.root, name, run)
	if err != nil {
		return nil, fmt.Errorf("stream %q: %w", name, rootfile.ExplainLinks(s.root, err))
	}
	switch {
	case policy == pb.ExistPolicy_EXIST_OVERWRITE && had:
		// The user asked to start afresh, even over the same run.
		if err := s.root.RemoveAll(name); err != nil {
			return nil, fmt.Errorf("overwrite stream %q: %w", name, rootfile.ExplainLinks(s.root, err))
		}
		had = false
	case len(differences) > 0:
		return nil, &core.OtherRunError{Name: name, Differences: differences}
	}
	out, err := openOutput(s.root, name, s.log)
	if err != nil {
		return nil, fmt.Errorf("open output of stream %q: %w", name, err)
	}
	if !had {
		if err := writeManifest(s.root, name, run); err != nil {
			out.closeFile()
			return nil, fmt.Errorf("stream %q: %w", name, rootfile.ExplainLinks(s.root, err))
		}
	}
	return out, nil
}

// sameRun compares the run in root's folder dir with want. had says the
// folder holds output; differences, when any, say why it is another run.
// A folder with predictions but no manifest (written before manifests
// existed) is taken as the same run for a finite source, another run for
// a live one.
func sameRun(root *os.Root, dir string, want record.Run) (had bool, differences []string, err error) {
	m, found, err := readManifest(root, dir)
	if err != nil {
		return false, nil, err
	}
	if found {
		return true, core.RunDifferences(m, want), nil
	}
	st, err := root.Stat(path.Join(dir, PredictionsFile))
	if err != nil || st.Size() == 0 {
		return false, nil, nil
	}
	if want.Live {
		return true, []string{"it holds output of an earlier run"}, nil
	}
	return false, nil, nil // adopted: its manifest is written now
}

// prunesJPEGs says whether run's stream keeps only its last liveKeep
// JPEGs: a live one, when the store has a limit.
func (s *Store) prunesJPEGs(run record.Run) bool { return run.Live && s.liveKeep > 0 }
