package record

// Occupancy is how many tracks are in a zone now, published (retained)
// on the zone's MQTT topic whenever a frame changes it, and when its
// stream opens. Count is over every class the zone counts; Classes
// splits it per class when the zone's rule lists classes.
type Occupancy struct {
	Stream  string           `json:"stream"`
	Zone    string           `json:"zone"`
	Count   int64            `json:"count"`
	Classes map[string]int64 `json:"classes,omitempty"`
	// Seq is the frame after which the zone holds Count (0: no frame yet),
	// with its capture time and video position.
	Seq             int64  `json:"seq"`
	CaptureUnixNano int64  `json:"capture_unix_nano,omitempty"`
	PositionUs      *int64 `json:"position_us,omitempty"`
}
