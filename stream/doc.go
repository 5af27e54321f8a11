// Package stream owns the client end of the long-lived StreamFrames call:
// the client session (window of unacknowledged frames, drop policy for live
// sources, reconnect and resume, latency) and the output record of a
// frame. The server end is package stream/serving; dialing, package
// stream/dial. It does not touch pixels: frames are opaque bytes.
package stream
