package service

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, err.Error())
}

// errBadRequest marks a header or options the server refuses.
var errBadRequest = errors.New("bad request")
