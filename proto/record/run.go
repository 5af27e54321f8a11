package record

import "time"

// Run is a stream's run.json (ManifestFile): what its output came from,
// enough to read the predictions later and for the server to tell whether
// a new call continues the same run. A stream's output holds one run.
type Run struct {
	RunID             string     `json:"run_id"`
	Started           time.Time  `json:"started"`
	SourceSpec        string     `json:"source"` // without its secrets (RedactSource)
	SourceFingerprint string     `json:"source_fingerprint,omitempty"`
	Live              bool       `json:"live"`
	FrameCount        int64      `json:"frame_count,omitempty"`
	Model             Model      `json:"model"`
	Options           RunOptions `json:"options"`
	// SourceEnd, when set, says the source ended before the frames it
	// declared, as its client last reported; not part of what makes the
	// run the same run.
	SourceEnd *SourceEnd `json:"source_ended_early,omitempty"`
	// Video says the annotated frames are also written as H.264 segments
	// (video/ in the folder); not part of what makes the run the same run.
	Video bool `json:"video,omitempty"`
}

// SourceEnd is a client's report that its source stopped giving frames
// before the last one it declared (a video file cut short or damaged).
type SourceEnd struct {
	FramesRead     int64     `json:"frames_read"`
	FramesDeclared int64     `json:"frames_declared,omitempty"` // 0: unknown
	Reason         string    `json:"reason"`
	At             time.Time `json:"at"` // when the server was told
}

// Model names the model that processes the frames. Engine and Classes
// are for reading the output; a run is the same run on either engine.
type Model struct {
	Kind    string   `json:"kind"`
	File    string   `json:"file,omitempty"`
	SHA256  string   `json:"sha256,omitempty"`
	Engine  string   `json:"engine,omitempty"`
	Classes []string `json:"classes,omitempty"` // the labels, by class id
}

// RunOptions are the stream options that change the output.
type RunOptions struct {
	Conf               float32  `json:"conf"` // as asked; 0 = the model's threshold
	Classes            []string `json:"classes,omitempty"`
	SaveEvery          int32    `json:"save_every"`
	SaveOnlyDetections bool     `json:"save_only_detections,omitempty"`
	Track              bool     `json:"track,omitempty"`
	// Zones are the counting rules, as the header's compact JSON.
	Zones string `json:"zones,omitempty"`
}
