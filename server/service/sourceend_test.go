package service

import (
	"strings"
	"testing"
	"unicode/utf8"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// endKept is an output that keeps the source end it is told.
type endKept struct {
	core.Output
	got record.SourceEnd
}

func (e *endKept) RecordSourceEnd(end record.SourceEnd) error {
	e.got = end
	return nil
}

// A long reason is cut to maxEndReason bytes before a rune, never in it.
func TestSourceEndReasonIsCutBeforeARune(t *testing.T) {
	out := &endKept{}
	s := &session{out: out}
	head := strings.Repeat("a", maxEndReason-1)
	if err := s.EndSource(&pb.SourceEnd{FramesRead: 3, FramesDeclared: 9, Reason: head + "é and more"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.got.Reason, head+"..."; got != want || !utf8.ValidString(got) {
		t.Errorf("reason kept: %q, want %q", got, want)
	}
	if out.got.FramesRead != 3 || out.got.FramesDeclared != 9 || out.got.At.IsZero() {
		t.Errorf("source end kept: %+v, want 3 of 9 frames read and when", out.got)
	}
}
