// Package stream owns the long-lived StreamFrames call on both ends: the
// client session (window of unacknowledged frames, drop policy for live
// sources, latency) and the server side of the call (header handshake,
// bounded in-flight frames, results in arrival order, summary). It does
// not touch pixels: frames are opaque bytes handed to a Session.
package stream
