package events

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// eventID derives an event's id from the run, the track, the frame and
// the rule (with the kind of fact): 24 hex digits of their SHA-256.
func eventID(runKey string, track, seq int64, rule, kind string) string {
	h := sha256.New()
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(track))
	binary.BigEndian.PutUint64(n[8:], uint64(seq))
	for _, s := range []string{runKey, rule, kind} {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(s)))
		h.Write(l[:])
		h.Write([]byte(s))
	}
	h.Write(n[:])
	return hex.EncodeToString(h.Sum(nil)[:12])
}
