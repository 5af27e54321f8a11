// Package delivery sends every stream's events to where people use them
// (an MQTT broker, a webhook), at least once. A stream's events.jsonl is
// the durable outbox: each sink keeps a cursor beside it
// (<stream>/.delivery/<sink>.json) that moves only after the receiver
// acknowledged what it covers, so a receiver that is down, or a server
// killed and restarted, loses no event; an event sent twice carries the
// same id both times. The Deliverer follows every stream folder under the
// output folder, so that what a stream left undelivered is delivered once
// the receiver is back, even after the stream ended.
package delivery

import (
	"context"
	"errors"
)

// CursorDir, in a stream's folder, holds one cursor file per sink; the
// events are in record.EventsFile, the output contract's name for them.
const CursorDir = ".delivery"

// Event is one line of events.jsonl.
type Event struct {
	// ID is unique and stable: a line written again carries the same id.
	ID, Stream, Kind string
	// Line is the event as written, without its newline: the payload.
	Line []byte
}

// Sink is a receiver of events. One goroutine calls it at a time.
type Sink interface {
	// Kind names the sink in cursor files, metrics and logs ("mqtt",
	// "webhook"); each of a Deliverer's sinks has its own.
	Kind() string
	// Deliver sends evs in order and returns how many of them, from the
	// first, the receiver acknowledged; err says why the next was not.
	// An error wrapping ErrRejected says the receiver will never take
	// evs[n]: it is skipped.
	Deliver(ctx context.Context, evs []Event) (n int, err error)
	// Close frees the sink's connections.
	Close() error
}

// ErrRejected marks a receiver's refusal that trying again cannot change
// (a webhook's 400): the event is counted, logged and skipped.
var ErrRejected = errors.New("rejected by the receiver")
