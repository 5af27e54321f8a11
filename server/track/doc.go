// Package track gives detections ids that stay with an object from frame
// to frame: IoU association against a constant-velocity prediction of
// every track, in the spirit of SORT and ByteTrack.
//
// Each Update takes one frame's detections, in frame order, and returns
// one id per detection. Association runs per class in two passes:
// confident detections (score >= Config.High) against every track, then
// the remaining less confident ones against the tracks that were matched
// in the previous frame only. A confident detection that matches nothing
// starts a track; a less confident one that matches nothing gets id 0
// (not tracked). A track survives Config.MaxMissed frames without a match,
// moving on its last velocity; a track seen in one frame only dies at its
// first miss. Gaps in the frame numbers (dropped frames) are predicted
// over, not treated as a reset.
//
// The package is pure Go and keeps no globals; a Tracker is not safe for
// concurrent use (one per stream, driven in frame order).
package track
