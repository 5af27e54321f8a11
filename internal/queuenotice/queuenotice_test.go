package queuenotice

import (
	"strings"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
)

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

// The first place is told at once, later ones at most every Every.
func TestQueuedTellsAtMostEveryFewSeconds(t *testing.T) {
	var b strings.Builder
	now := time.Unix(0, 0)
	n := &Notice{W: &b, Server: "srv:5005", Now: func() time.Time { return now }}
	for _, step := range []struct {
		after    time.Duration
		position int32
	}{{0, 3}, {time.Second, 2}, {Every, 1}} {
		now = now.Add(step.after)
		n.Queued(&pb.StreamQueued{Position: step.position, MaxStreams: 2})
	}
	want := "framewire-capture: the server at srv:5005 runs its 2 streams; waiting for a stream slot: 3rd in line\n" +
		"framewire-capture: the server at srv:5005 runs its 2 streams; waiting for a stream slot: 1st in line\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
