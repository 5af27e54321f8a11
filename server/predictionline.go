package server

import (
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// newPredictionLine is r's line in predictions.jsonl.
func newPredictionLine(r *pb.FrameResult) stream.Record {
	return stream.NewRecord(r)
}
