// Package record is framewire's output contract, shared by the server that
// writes it and the tools that read it: one frame's line of predictions.jsonl
// (Frame) and how a source is named without its secrets (RedactSource).
package record

import (
	"path"

	pb "github.com/framewire/framewire/proto"
)

// Frame is one frame's result as framewire writes it for other tools:
// one line of a stream's predictions.jsonl, and (with latency_ms added)
// one line of framewire-capture --json. Boxes are [x, y, width, height] in
// source-frame pixels, top-left origin.
type Frame struct {
	Seq             int64            `json:"seq"`
	File            string           `json:"source,omitempty"`      // the photo's file (folder, glob, list), its frame's SourceName
	PositionUs      *int64           `json:"position_us,omitempty"` // position in a video file
	CaptureUnixNano int64            `json:"capture_unix_nano"`
	Width           int32            `json:"width"`
	Height          int32            `json:"height"`
	Channel         int32            `json:"channel"`
	Mean            float32          `json:"mean"`
	Detections      []Box            `json:"detections"`
	Image           string           `json:"image,omitempty"` // the annotated JPEG, beside predictions.jsonl
	TimingsUs       *pb.StageTimings `json:"timings_us,omitempty"`
	Error           string           `json:"error,omitempty"`
}

// Box is one detection of a Frame.
type Box struct {
	Label   string     `json:"label"`
	ClassID int32      `json:"class_id"`
	Score   float32    `json:"score"`
	Box     [4]float32 `json:"box"` // x, y, width, height in frame pixels
	TrackID int64      `json:"track_id,omitempty"`
}

// FromResult describes r.
func FromResult(r *pb.FrameResult) Frame {
	l := Frame{
		Seq: r.GetSeq(), File: r.GetSourceName(), PositionUs: r.PositionUs,
		CaptureUnixNano: r.GetCaptureUnixNano(), Width: r.GetWidth(), Height: r.GetHeight(),
		Channel: r.GetChannel(), Mean: r.GetMean(),
		Detections: make([]Box, len(r.GetDetections())),
		TimingsUs:  r.GetTimings(),
		Error:      r.GetError(),
	}
	if r.GetOutputPath() != "" {
		l.Image = path.Base(r.GetOutputPath())
	}
	for i, d := range r.GetDetections() {
		b := d.GetBox()
		l.Detections[i] = Box{
			Label: d.GetLabel(), ClassID: d.GetClassId(), Score: d.GetScore(),
			Box:     [4]float32{b.GetX(), b.GetY(), b.GetWidth(), b.GetHeight()},
			TrackID: d.GetTrackId(),
		}
	}
	return l
}

// Names in a stream's folder.
const (
	// PredictionsFile has one Frame a line, in frame order.
	PredictionsFile = "predictions.jsonl"
	// ManifestFile describes the run whose output the folder holds.
	ManifestFile = "run.json"
	// VideoDir holds a stream's video (server --video): MP4 segments,
	// VideoIndex (the frames of each) and VideoPlaylist (HLS).
	VideoDir      = "video"
	VideoIndex    = "segments.json"
	VideoPlaylist = "index.m3u8"
)
