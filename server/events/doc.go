// Package events turns a tracked stream's frames into facts: a track
// crossed a line (in or out), entered a zone, left it. It is pure Go and
// a pure function of the frames' records in frame order, so that a run
// resumed after a crash, replaying what it recorded, reaches the same
// state and gives the same events with the same ids.
//
// The rules (docs/events.md has the pictures):
//
//   - A box counts by its anchor point (bottom centre by default).
//   - A line crossing, or a zone entry or exit, counts when the anchor has
//     been on the new side for Hysteresis observed frames in a row; a
//     track jittering on the line never gets there. Each crossing counts
//     once, in its direction. A track first seen on one side takes that
//     side without a crossing. Outside the segment's extent (past its
//     ends) a track's side is forgotten: only crossings of the segment
//     itself count.
//   - A track that vanishes is kept RejoinFrames frames. A new track id of
//     the same class that first appears within that time close to where
//     it vanished (within the larger side of its last box) is the same
//     object: it carries on the old track's sides and visits, so an entry
//     with no exit is not counted twice, and its events list the old ids.
//     A track that does not come back in time is lost: each zone it was in
//     reports zone_left with lost set.
package events
