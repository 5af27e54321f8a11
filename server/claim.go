package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
)

// maxIncrement bounds the names EXIST_INCREMENT tries (<name>-2 ...).
const maxIncrement = 10000

// errOtherRun says a folder holds the output of another run.
var errOtherRun = errors.New("the folder holds another run")

// claimed is a stream name held by one call, with its open folder.
type claimed struct {
	name    string
	owner   *owner
	dir     *streamDir
	resumed bool
}

// claim takes a name for the run want and opens its folder. The header's
// name is used when its folder is empty or holds the same run; when it
// holds another run, the exist policy decides: refuse
// (FailedPrecondition), overwrite, or try <name>-2, <name>-3, ... A name
// held by another run's call is AlreadyExists (increment moves past it).
func (p *Pipeline) claim(ctx context.Context, hdr *pb.StreamHeader, want runManifest) (*claimed, error) {
	policy := hdr.GetExist()
	for i := 1; i <= maxIncrement; i++ {
		name := candidateName(hdr.GetName(), i)
		c, err := p.claimName(ctx, name, want, policy)
		if policy == pb.ExistPolicy_EXIST_INCREMENT && (errors.Is(err, errOtherRun) || status.Code(err) == codes.AlreadyExists) {
			continue // another run's folder, or in use by another run
		}
		return c, err
	}
	return nil, status.Errorf(codes.ResourceExhausted, "stream %q: %d folders of that name hold other runs", hdr.GetName(), maxIncrement)
}

// candidateName is the i-th name EXIST_INCREMENT tries: base, base-2, ...
func candidateName(base string, i int) string {
	if i == 1 {
		return base
	}
	suffix := fmt.Sprintf("-%d", i)
	return base[:min(len(base), maxStreamName-len(suffix))] + suffix
}

// claimName holds name and opens its folder for want.
func (p *Pipeline) claimName(ctx context.Context, name string, want runManifest, policy pb.ExistPolicy) (*claimed, error) {
	w, err := p.owners.acquire(ctx, name, want.RunID)
	switch {
	case errors.Is(err, errNameInUse):
		return nil, status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, errHeldElsewhere):
		return nil, status.Error(codes.Unavailable, err.Error())
	case err != nil && ctx.Err() != nil:
		return nil, status.FromContextError(err).Err()
	case err != nil:
		return nil, status.Errorf(codes.Internal, "take stream %q: %v", name, err)
	}
	dir, resumed, err := p.openRun(name, want, policy)
	if err != nil {
		p.owners.release(w)
		return nil, err
	}
	return &claimed{name: name, owner: w, dir: dir, resumed: resumed}, nil
}

// openRun opens name's folder for want: resumed when it holds the same
// run, fresh when it is empty or overwritten.
func (p *Pipeline) openRun(name string, want runManifest, policy pb.ExistPolicy) (*streamDir, bool, error) {
	path := filepath.Join(p.cfg.OutDir, name)
	had, differences, err := sameRun(path, want)
	if err != nil {
		return nil, false, status.Errorf(codes.Internal, "stream %q: %v", name, err)
	}
	switch {
	case policy == pb.ExistPolicy_EXIST_OVERWRITE && had:
		// The user asked to start afresh, even over the same run.
		if err := os.RemoveAll(path); err != nil {
			return nil, false, status.Errorf(codes.Internal, "overwrite stream %q: %v", name, err)
		}
		had = false
	case len(differences) == 0:
	case policy == pb.ExistPolicy_EXIST_INCREMENT:
		return nil, false, errOtherRun
	default:
		return nil, false, status.Errorf(codes.FailedPrecondition, "stream %q holds another run: %s", name, strings.Join(differences, "; "))
	}
	dir, err := openStreamDir(path)
	if err != nil {
		return nil, false, status.Errorf(codes.Internal, "open output of stream %q: %v", name, err)
	}
	if !had {
		if err := want.write(path); err != nil {
			dir.Close()
			return nil, false, status.Errorf(codes.Internal, "stream %q: %v", name, err)
		}
	}
	return dir, len(dir.done) > 0, nil
}

// sameRun compares the run in folder path with want. had says the folder
// holds output; differences, when any, say why it is another run. A folder
// with predictions but no manifest (written before manifests existed) is
// taken as the same run for a finite source, another run for a live one.
func sameRun(path string, want runManifest) (had bool, differences []string, err error) {
	m, found, err := readManifest(path)
	if err != nil {
		return false, nil, err
	}
	if found {
		return true, m.differences(want), nil
	}
	st, err := os.Stat(filepath.Join(path, predictionsFile))
	if err != nil || st.Size() == 0 {
		return false, nil, nil
	}
	if want.Live {
		return true, []string{"it holds output of an earlier run"}, nil
	}
	return false, nil, nil // adopted: its manifest is written now
}
