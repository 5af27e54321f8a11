// Package queuenotice tells the user of framewire-capture that the stream
// waits for a slot on the server, and where it stands in line.
package queuenotice

import (
	"fmt"
	"io"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// Every is the shortest time between two lines telling the
// stream's place in the server's queue.
const Every = 5 * time.Second

// Notice tells the user the stream waits for a slot on the server:
// the first place at once, later ones at most every Every.
// Used from the stream's goroutine.
type Notice struct {
	W      io.Writer
	Server string
	Now    func() time.Time
	told   time.Time
}

// Queued prints q, unless a line was printed moments ago.
func (n *Notice) Queued(q *pb.StreamQueued) {
	if !n.told.IsZero() && n.Now().Sub(n.told) < Every {
		return
	}
	n.told = n.Now()
	fmt.Fprintf(n.W, "framewire-capture: the server at %s runs its %d streams; waiting for a stream slot: %s in line\n",
		n.Server, q.GetMaxStreams(), ordinal(int(q.GetPosition())))
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
