package mjpeg

// Mailbox is one viewer's frames: only the newest frame is kept, so that
// a slow viewer misses frames and never slows their sender.
type Mailbox struct {
	frames chan []byte // capacity 1
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox { return &Mailbox{frames: make(chan []byte, 1)} }

// Offer puts jpg in the mailbox, replacing a frame not yet taken. One
// sender at a time (the caller serialises them).
func (m *Mailbox) Offer(jpg []byte) {
	select {
	case <-m.frames:
	default:
	}
	m.frames <- jpg
}

// Pending takes the frame in the mailbox, or nil.
func (m *Mailbox) Pending() []byte {
	select {
	case jpg := <-m.frames:
		return jpg
	default:
		return nil
	}
}

// Frames is where the next frame arrives.
func (m *Mailbox) Frames() <-chan []byte { return m.frames }
