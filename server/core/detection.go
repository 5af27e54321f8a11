package core

// Box is an axis-aligned box in source-frame pixels, top-left origin.
type Box struct{ X, Y, W, H float32 }

// Detection is one object found in a frame.
type Detection struct {
	Label   string
	ClassID int
	Score   float32
	Box     Box
	// TrackID follows the object from frame to frame on a tracked stream
	// (from 1); 0 when not tracked.
	TrackID int64
}
