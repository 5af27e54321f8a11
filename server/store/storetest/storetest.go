// Package storetest is the conformance suite every output store passes:
// a new store's test gives Run a Backend (how to make an empty place for
// the store, open it there, and read what a reader of its output sees)
// and gets the guarantees framewire's reliability rests on checked, each
// a subtest: every frame recorded exactly once across reopen and resume,
// a line never before its image, one writer per name (in one server and
// among replicas, a killed holder's name freed), resume giving back what
// is done, damaged lines healed and set aside. docs/stores.md lists them.
package storetest

import (
	"testing"
	"time"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// Backend is what the suite needs of the store under test. Every field
// but LeaseExpiry is required.
type Backend struct {
	// NewPlace makes an empty place for a store (a folder, a bucket and
	// prefix) and returns it as Open takes it.
	NewPlace func(t *testing.T) string
	// Open opens the store at place, closed when t ends. Stores opened
	// on one place are replicas sharing it, as servers on a shared volume
	// are. It is also called in a child process: the killed holder runs
	// the test binary again with -test.run naming its subtest (TestMain
	// runs again there) and the place in its environment.
	Open func(t *testing.T, place string) core.Store
	// Lines are stream name's lines as a reader (the exporter) sees them,
	// in the store's order.
	Lines func(t *testing.T, place, name string) []record.Frame
	// Image is frame seq's image of stream name as a reader sees it; an
	// error when there is none. It is called from several goroutines at
	// once, so it reports errors instead of failing t.
	Image func(t *testing.T, place, name string, seq int64) ([]byte, error)
	// Damage adds raw bytes after stream name's last line, as a crash in
	// the middle of a write or a faulty disk leaves them.
	Damage func(t *testing.T, place, name string, raw []byte)
	// SetAside is every damaged byte the store set aside for stream name.
	SetAside func(t *testing.T, place, name string) []byte
	// LeaseExpiry is how long the name of a holder that died stays taken
	// (0: it is freed at once, as the kernel frees a folder's flock).
	LeaseExpiry time.Duration
}

// Run checks b's store against every guarantee, one subtest each.
func Run(t *testing.T, b Backend) {
	t.Run("exactly_once", func(t *testing.T) { exactlyOnce(t, b) })
	t.Run("image_before_line", func(t *testing.T) { imageBeforeLine(t, b) })
	t.Run("one_writer_per_name", func(t *testing.T) { oneWriter(t, b) })
	t.Run("resume", func(t *testing.T) { resume(t, b) })
	t.Run("damaged_lines", func(t *testing.T) { damagedLines(t, b) })
	t.Run("leases", func(t *testing.T) { leases(t, b) })
}
