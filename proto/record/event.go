package record

// Kinds of Event.
const (
	KindLineCrossed = "line_crossed"
	KindZoneEntered = "zone_entered"
	KindZoneLeft    = "zone_left"
)

// Directions of a line crossing: in is the way the line's arrow (from ->
// to) points once turned a quarter turn clockwise, as the picture shows
// it; out is the other way.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// EventsFile has one Event a line, in frame order, each line synced to
// disk before the next frame's events.
const EventsFile = "events.jsonl"

// Event is one fact of a stream with counting rules (zones): a track
// crossed a line, entered a zone or left it. Its ID is derived from the
// run, the track, the frame and the rule, so that the same run gives the
// same ids, resumed or not.
type Event struct {
	ID     string `json:"id"`
	Stream string `json:"stream"`
	Kind   string `json:"kind"`
	// Rule is the name of the line or zone.
	Rule string `json:"rule"`
	// Direction is in or out, for a line crossing.
	Direction string `json:"direction,omitempty"`
	// Seq is the frame at which the fact became sure: the hysteresis'
	// last frame.
	Seq             int64  `json:"seq"`
	CaptureUnixNano int64  `json:"capture_unix_nano"`
	PositionUs      *int64 `json:"position_us,omitempty"`
	Source          string `json:"source,omitempty"` // the photo's file
	TrackID         int64  `json:"track_id"`
	// PreviousTrackIDs are earlier ids of the same object (lost and found
	// again under a new id), oldest first.
	PreviousTrackIDs []int64 `json:"previous_track_ids,omitempty"`
	Label            string  `json:"label"`
	// Point is the anchor's position at Seq, in frame pixels.
	Point [2]float32 `json:"point"`
	// SinceSeq is the first frame on the new side of the line, or in
	// (out of) the zone.
	SinceSeq int64 `json:"since_seq"`
	// EnteredSeq, DwellFrames and DwellMs, for zone_left: the visit's
	// first frame in the zone, and its length from there to SinceSeq (in
	// frames, and in the frames' time: video position, else capture time).
	EnteredSeq  *int64 `json:"entered_seq,omitempty"`
	DwellFrames *int64 `json:"dwell_frames,omitempty"`
	DwellMs     *int64 `json:"dwell_ms,omitempty"`
	// Lost, for zone_left: the track vanished inside the zone and did not
	// come back within the rules' rejoin_frames; SinceSeq is the last
	// frame it was seen.
	Lost bool `json:"lost,omitempty"`
}

// Count is a rule's running totals for one class.
type Count struct {
	Rule  string `json:"rule"`
	Kind  string `json:"kind"` // "line" or "zone"
	Label string `json:"label"`
	// In and Out count a line's crossings.
	In  int64 `json:"in,omitempty"`
	Out int64 `json:"out,omitempty"`
	// Entered, Left and Inside are a zone's entries, exits and the tracks
	// in it now.
	Entered int64 `json:"entered,omitempty"`
	Left    int64 `json:"left,omitempty"`
	Inside  int64 `json:"inside,omitempty"`
}

// Kinds of Count.
const (
	CountLine = "line"
	CountZone = "zone"
)
