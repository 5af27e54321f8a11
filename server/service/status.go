package service

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/framewire/framewire/server/admission"
	"github.com/framewire/framewire/server/core"
)

// toStatus is the one place errors become gRPC status codes.
func toStatus(err error) error {
	var other *core.OtherRunError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, core.ErrBadFrame), errors.Is(err, errBadRequest):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, core.ErrNameInUse):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, core.ErrHeldElsewhere):
		return status.Error(codes.Unavailable, err.Error())
	case errors.As(err, &other), errors.Is(err, core.ErrLeavesStore):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, core.ErrNoFreeName):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, admission.ErrFull):
		return retryLater(codes.ResourceExhausted, err, fullRetryDelay)
	case errors.Is(err, admission.ErrDraining):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, err.Error())
}

// errBadRequest marks a header or options the server refuses.
var errBadRequest = errors.New("bad request")

// fullRetryDelay is how long a stream refused by a full queue is told to
// wait before it tries again.
const fullRetryDelay = 2 * time.Second

// retryLater is err as code with a RetryInfo saying when to try again.
func retryLater(code codes.Code, err error, after time.Duration) error {
	st := status.New(code, err.Error())
	if withHint, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(after)}); derr == nil {
		st = withHint
	}
	return st.Err()
}
