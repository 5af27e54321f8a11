package capturecmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/stream"
)

// unreachable is the one-line error of a run that never reached the
// server at addr, with what the user can do.
func unreachable(addr string, err error, wait time.Duration) error {
	hint := "is framewire-server running? --wait-for-server 1m waits for it"
	if wait > 0 {
		hint = fmt.Sprintf("waited %v; is framewire-server running?", wait)
	}
	return fmt.Errorf("cannot reach the server at %s: %s (%s)", addr, unreachableReason(err), hint)
}

// unreachableReason is what gRPC said about a connection that failed, in
// fewer words: "connection refused" rather than the whole chain of dial
// errors.
func unreachableReason(err error) string {
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) {
		return err.Error()
	}
	msg := se.GRPCStatus().Message()
	if strings.Contains(msg, "dial tcp") || strings.Contains(msg, "dial unix") {
		return strings.TrimSuffix(msg[strings.LastIndex(msg, ": ")+2:], `"`)
	}
	msg = strings.TrimPrefix(msg, `connection error: desc = "`)
	return strings.TrimSuffix(strings.TrimPrefix(msg, "transport: "), `"`)
}

// neverReached reports whether a run ended because it never reached the
// server.
func neverReached(sum *stream.Summary, err error) bool {
	return sum.Ready == nil && errors.Is(err, stream.ErrUnreachable)
}
