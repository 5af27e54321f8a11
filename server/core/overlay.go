package core

// Overlay is what a stream's counting rules add to its annotated frames:
// the lines and zones, and their running counts.
type Overlay struct {
	Lines []OverlayLine
	Zones []OverlayZone
}

// OverlayLine is a line from From to To (frame pixels) and its crossings
// so far, every class together.
type OverlayLine struct {
	Name     string
	From, To [2]float64
	In, Out  int64
}

// OverlayZone is a zone's polygon and its visits so far.
type OverlayZone struct {
	Name            string
	Polygon         [][2]float64
	Inside, Entered int64
}

// Overlaid is a Picture that can draw an Overlay with its detections.
type Overlaid interface {
	// SetOverlay has the next Annotate draw o too.
	SetOverlay(o Overlay)
}
