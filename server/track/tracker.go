package track

// object is one track: an id, its class and where it is going.
type object struct {
	id     int64
	class  int
	m      motion
	hits   int // frames matched, including the first
	missed int // frames in a row without a match
	pred   Box // predicted box at the frame being associated
	slot   int // index in Tracker.objects during an Update
}

// Tracker assigns track ids to the detections of one stream, frame by
// frame. Not safe for concurrent use.
type Tracker struct {
	cfg     Config
	objects []*object
	lastID  int64
	m       matcher
}

// New returns a Tracker with no tracks.
func New(cfg Config) *Tracker {
	cfg = cfg.withDefaults()
	return &Tracker{cfg: cfg, lastID: cfg.FirstID}
}

// LastID is the highest id given out so far (Config.FirstID at first).
func (t *Tracker) LastID() int64 { return t.lastID }

// Update associates the detections of frame seq (which must grow from
// call to call; gaps are dropped frames) with the tracks and returns
// their ids, ids[i] for dets[i]; 0 means not tracked (a less confident
// detection that continues no track).
func (t *Tracker) Update(seq int64, dets []Detection) []int64 {
	ids := make([]int64, len(dets))
	high := t.associate(seq, dets)
	t.apply(seq, dets, ids)
	t.prune()
	t.start(seq, dets, high, ids)
	return ids
}

// associate matches the tracks, predicted to frame seq, with dets: the
// confident detections first, then the others with the tracks matched
// last frame and not yet now. It returns the confident detections.
func (t *Tracker) associate(seq int64, dets []Detection) (high []int) {
	t.predict(seq)
	t.m.begin(t.objects, len(dets))
	high, low := t.split(dets)
	t.m.match(dets, high, t.objects, t.cfg.MatchIoU)
	t.m.match(dets, low, t.recent(), t.cfg.LowMatchIoU)
	return high
}

// predict moves every track's predicted box to frame seq.
func (t *Tracker) predict(seq int64) {
	for _, o := range t.objects {
		o.pred = o.m.predict(seq)
	}
}

// split returns the indices of the confident and the other detections.
func (t *Tracker) split(dets []Detection) (high, low []int) {
	for i, d := range dets {
		if d.Score >= t.cfg.High {
			high = append(high, i)
		} else {
			low = append(low, i)
		}
	}
	return high, low
}

// recent are the tracks matched in the previous frame and not yet now.
func (t *Tracker) recent() []*object {
	var out []*object
	for i, o := range t.objects {
		if o.missed == 0 && t.m.detOf[i] < 0 {
			out = append(out, o)
		}
	}
	return out
}

// apply moves matched tracks to their detections and counts misses.
func (t *Tracker) apply(seq int64, dets []Detection, ids []int64) {
	for i, o := range t.objects {
		if d := t.m.detOf[i]; d >= 0 {
			ids[d] = o.hit(dets[d].Box, seq)
		} else {
			o.missed++
		}
	}
}

// hit moves o to its matched box b at frame seq and returns its id.
func (o *object) hit(b Box, seq int64) int64 {
	o.m.correct(b, seq)
	o.hits++
	o.missed = 0
	return o.id
}

// prune drops tracks missed too long, and tracks seen once that missed.
func (t *Tracker) prune() {
	kept := t.objects[:0]
	for _, o := range t.objects {
		if !t.lost(o) {
			kept = append(kept, o)
		}
	}
	clear(t.objects[len(kept):])
	t.objects = kept
}

// lost says whether o missed too long, or was seen once and then missed.
func (t *Tracker) lost(o *object) bool {
	return o.missed > t.cfg.MaxMissed || o.missed > 0 && o.hits < 2
}

// start opens a track for every confident detection left unmatched.
func (t *Tracker) start(seq int64, dets []Detection, high []int, ids []int64) {
	for _, i := range high {
		if ids[i] == 0 && !t.m.matched[i] {
			ids[i] = t.open(seq, dets[i])
		}
	}
}

// open starts a track at detection d of frame seq and returns its id.
func (t *Tracker) open(seq int64, d Detection) int64 {
	t.lastID++
	t.objects = append(t.objects, &object{id: t.lastID, class: d.Class, m: newMotion(d.Box, seq), hits: 1})
	return t.lastID
}
