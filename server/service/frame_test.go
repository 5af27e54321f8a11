package service

import (
	"strings"
	"testing"

	pb "github.com/framewire/framewire/proto"
)

func TestTooLongSourceNameIsABadFrame(t *testing.T) {
	f := &pb.Frame{}
	f.SourceName = strings.Repeat("a", maxSourceName+1)
	if err := echoFrameMeta(f, &pb.FrameResult{}); err == nil || !strings.Contains(err.Error(), "source name") {
		t.Errorf("got %v, want a bad frame naming the source name", err)
	}
}
