package service

import (
	"log/slog"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/service/eventstage"
)

// newCountStageFor is the counting of a stream with opts writing to out,
// nil without rules. The recorded frames replay through a new tracker
// too, which ts takes when it gives the recorded ids, so that tracking
// goes on exactly where it was.
func newCountStageFor(opts frameOptions, out core.Output, run record.Run, ts *trackStage, log *slog.Logger) (*eventstage.Stage, error) {
	if opts.zones == nil {
		return nil, nil
	}
	fresh, same := newTrackStage(0, nil), true
	cs, err := eventstage.Open(*opts.zones, out, run, func(f record.Frame) { same = same && fresh.replay(f) })
	if err != nil {
		return nil, err
	}
	if same {
		ts.tracker, ts.ids, ts.recorded = fresh.tracker, fresh.ids, nil
	} else {
		log.Warn("the recorded track ids are not those the tracker gives again: tracks go on under new ids", "stream", out.Name())
	}
	return cs, nil
}
