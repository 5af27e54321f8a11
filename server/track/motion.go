package track

// motion is a constant-velocity model of one box: an alpha-beta filter
// (a steady-state Kalman filter) on the centre, and smoothing on the size.
// Velocities are in pixels per frame number.
type motion struct {
	cx, cy, w, h float64
	vx, vy       float64
	seq          int64 // frame of the last measurement
}

// Filter gains: how much of a measurement's surprise goes into the
// position (alpha), the velocity (beta) and the size (sizeGain).
const (
	alpha    = 0.6
	beta     = 0.25
	sizeGain = 0.5
)

func newMotion(b Box, seq int64) motion {
	return motion{
		cx: float64(b.X + b.W/2), cy: float64(b.Y + b.H/2),
		w: float64(b.W), h: float64(b.H), seq: seq,
	}
}

// predict is the box expected at frame seq.
func (m *motion) predict(seq int64) Box {
	dt := float64(seq - m.seq)
	cx, cy := m.cx+m.vx*dt, m.cy+m.vy*dt
	return Box{X: float32(cx - m.w/2), Y: float32(cy - m.h/2), W: float32(m.w), H: float32(m.h)}
}

// correct takes the measurement b at frame seq (after m.seq).
func (m *motion) correct(b Box, seq int64) {
	dt := float64(max(seq-m.seq, 1))
	px, py := m.cx+m.vx*dt, m.cy+m.vy*dt
	rx := float64(b.X+b.W/2) - px
	ry := float64(b.Y+b.H/2) - py
	m.cx, m.cy = px+alpha*rx, py+alpha*ry
	m.vx += beta * rx / dt
	m.vy += beta * ry / dt
	m.w += sizeGain * (float64(b.W) - m.w)
	m.h += sizeGain * (float64(b.H) - m.h)
	m.seq = seq
}
