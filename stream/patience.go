package stream

import (
	"errors"
	"math/rand/v2"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/internal/backoff"
)

// maxServerWait is the longest pause between two tries to reach a server
// the run waits for.
const maxServerWait = time.Second

// patience is the wait before the next call when err is not a failure of
// the stream: a server not reached yet that the run may wait for, or a
// full server that said when to try again. ok is false for any other err.
func (r *run) patience(err error) (wait time.Duration, ok bool) {
	if r.neverReached(err) {
		return r.serverWait(err)
	}
	if d, full := retryDelay(err); full {
		wait = d + rand.N(d/4+1) // spread the refused clients out
		if r.cfg.OnReconnect != nil {
			r.cfg.OnReconnect(0, wait, err)
		}
		return wait, true
	}
	return 0, false
}

// neverReached reports whether err is a call that could not be opened in
// a run that no server has answered yet.
func (r *run) neverReached(err error) bool {
	return r.sum.Ready == nil && errors.Is(err, ErrUnreachable)
}

// serverWait is the pause before the next try to reach the server, while
// WaitForServer allows; it tells OnWaitForServer the first time.
func (r *run) serverWait(err error) (time.Duration, bool) {
	left := r.cfg.WaitForServer - time.Since(r.start)
	if r.cfg.WaitForServer == 0 || (r.cfg.WaitForServer > 0 && left <= 0) {
		return 0, false
	}
	if r.serverWaits == 0 && r.cfg.OnWaitForServer != nil {
		r.cfg.OnWaitForServer(err)
	}
	r.serverWaits++
	wait := backoff.Policy{Min: r.cfg.MinBackoff, Max: maxServerWait}.Wait(r.serverWaits)
	if r.cfg.WaitForServer > 0 {
		wait = min(wait, left)
	}
	return wait, true
}

// retryDelay is how long a server that refused the stream because it is
// full asks the client to wait (ResourceExhausted with RetryInfo).
func retryDelay(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay().AsDuration() > 0 {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}
