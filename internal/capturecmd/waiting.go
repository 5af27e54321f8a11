package capturecmd

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// queueNoticeEvery is the shortest time between two lines telling the
// stream's place in the server's queue.
const queueNoticeEvery = 5 * time.Second

// queueNotice tells the user the stream waits for a slot on the server:
// the first place at once, later ones at most every queueNoticeEvery.
// Used from the stream's goroutine.
type queueNotice struct {
	w      io.Writer
	server string
	told   time.Time
	now    func() time.Time
}

// queued prints q, unless a line was printed moments ago.
func (n *queueNotice) queued(q *pb.StreamQueued) {
	if !n.told.IsZero() && n.now().Sub(n.told) < queueNoticeEvery {
		return
	}
	n.told = n.now()
	fmt.Fprintf(n.w, "framewire-capture: the server at %s runs its %d streams; waiting for a stream slot: %s in line\n",
		n.server, q.GetMaxStreams(), ordinal(int(q.GetPosition())))
}

// ordinal is n as "1st", "2nd", "3rd", "4th", ..., "11th", "21st".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

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
