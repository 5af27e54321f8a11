package service

import (
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/service/trackstage"
)

// newCountStageFor is the counting of a stream with opts writing to out,
// nil without rules. The recorded frames replay through a new tracker
// too (from the tracker's state in the counting checkpoint, when there is
// one), which ts takes when it gives the recorded ids, so that tracking
// goes on exactly where it was; ts's state goes into the next checkpoints.
// co carries the service's hooks, checkpoint interval and log.
func newCountStageFor(opts frameOptions, out core.Output, run record.Run, ts *trackstage.Stage, co eventstage.Options) (*eventstage.Stage, error) {
	if opts.zones == nil {
		return nil, nil
	}
	fresh, same := trackstage.New(0, nil), true
	co.Replay = func(f record.Frame) { same = same && fresh.Replay(f) }
	co.Restore, co.Snapshot = fresh.Restore, ts.Snapshot
	cs, err := eventstage.Open(*opts.zones, out, run, co)
	if err != nil {
		return nil, err
	}
	if same {
		ts.Adopt(fresh)
	} else {
		co.Log.Warn("the recorded track ids are not those the tracker gives again: tracks go on under new ids", "stream", out.Name())
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

// countOptions are the options of every counted stream's stage: the
// service's hooks, checkpoint interval and log.
func (s *Service) countOptions() eventstage.Options {
	return eventstage.Options{Hooks: s.cfg.Events, CheckpointEvery: s.cfg.CountCheckpointEvery, Log: s.log()}
}
