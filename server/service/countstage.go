package service

import (
	"log/slog"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/service/trackstage"
)

// newCountStageFor is the counting of a stream with opts writing to out,
// nil without rules. The recorded frames replay through a new tracker
// too, which ts takes when it gives the recorded ids, so that tracking
// goes on exactly where it was.
func newCountStageFor(opts frameOptions, out core.Output, run record.Run, ts *trackstage.Stage, log *slog.Logger) (*eventstage.Stage, error) {
	if opts.zones == nil {
		return nil, nil
	}
	fresh, same := trackstage.New(0, nil), true
	cs, err := eventstage.Open(*opts.zones, out, run, func(f record.Frame) { same = same && fresh.Replay(f) })
	if err != nil {
		return nil, err
	}
	if same {
		ts.Adopt(fresh)
	} else {
		log.Warn("the recorded track ids are not those the tracker gives again: tracks go on under new ids", "stream", out.Name())
	}
	return cs, nil
}

// newTrackStageFor is the stage of a stream with opts writing to out, nil
// when the stream is not tracked.
func newTrackStageFor(opts frameOptions, out core.Output) *trackstage.Stage {
	if !opts.track {
		return nil
	}
	return trackstage.New(out.LastTrackID(), out.TrackCounts())
}
