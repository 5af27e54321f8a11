package track

// Config tunes a Tracker. Zero fields take the defaults in brackets.
type Config struct {
	// High is the score from which a detection is confident: it is
	// matched first and may start a track [0.5].
	High float32
	// MatchIoU is the least IoU between a confident detection and a
	// track's predicted box for them to match [0.2].
	MatchIoU float64
	// LowMatchIoU is the least IoU for a less confident detection [0.5].
	LowMatchIoU float64
	// MaxMissed is how many frames in a row a track lives on without a
	// match, predicted forward [30].
	MaxMissed int
	// FirstID is the id after which new ids start (a resumed run passes
	// the highest id it has written); ids start at FirstID+1.
	FirstID int64
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.High == 0 {
		c.High = 0.5
	}
	if c.MatchIoU == 0 {
		c.MatchIoU = 0.2
	}
	if c.LowMatchIoU == 0 {
		c.LowMatchIoU = 0.5
	}
	if c.MaxMissed == 0 {
		c.MaxMissed = 30
	}
	return c
}
