package monitor

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// Client-chosen stream names cannot grow the label set without bound: the
// series of only the last maxEndedSeries ended streams are kept.
func TestStreamLabelsAreBounded(t *testing.T) {
	m := newMetrics()
	for i := range maxEndedSeries + 30 {
		st := &streamState{name: fmt.Sprint("s", i)}
		m.streamOpened(st)
		m.streamClosed(st)
	}
	open := &streamState{name: "s0"} // an old name, open again: kept
	m.streamOpened(open)
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "framewire_frames_received_total" {
			continue
		}
		var names []string
		for _, s := range f.GetMetric() {
			names = append(names, s.GetLabel()[0].GetValue())
		}
		if len(names) != maxEndedSeries+1 || !slices.Contains(names, "s0") || slices.Contains(names, "s1") {
			t.Errorf("%d stream series (s0 kept: %v, s1 kept: %v), want %d with the open s0 and without the old s1",
				len(names), slices.Contains(names, "s0"), slices.Contains(names, "s1"), maxEndedSeries+1)
		}
	}
}

// The live view counts the distinct tracks of a tracked stream by label.
func TestLiveViewCountsTracks(t *testing.T) {
	v := newLiveView()
	st := &streamState{name: "walk"}
	v.streamOpened(st)
	for _, ids := range [][]int64{{1, 2}, {1, 2, 3}, {2, 3}} {
		r := &pb.FrameResult{}
		for _, id := range ids {
			r.Detections = append(r.Detections, &pb.Detection{Label: "person", TrackId: id})
		}
		r.Detections = append(r.Detections, &pb.Detection{Label: "dog", TrackId: 9}, &pb.Detection{Label: "cat"})
		v.frameDone(st, doneFrame{result: r})
	}
	v.mu.Lock()
	got := v.streams["walk"].trackCounts()
	v.mu.Unlock()
	if got["person"] != 3 || got["dog"] != 1 || len(got) != 2 {
		t.Errorf("track counts %v, want person 3, dog 1 (untracked cat not counted)", got)
	}
}

// A client's live source lost and back shows in /api/streams and the
// metrics.
func TestSourceReconnectShowsInStreamsAndMetrics(t *testing.T) {
	m := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	w := m.Watch(context.Background(), &pb.StreamHeader{Name: "cam", Live: true}, "mean")
	defer w.Close()
	w.SourceStatus(&pb.SourceStatus{State: pb.SourceState_SOURCE_RECONNECTING, Attempt: 2, Reason: "refused"})
	got := m.live.list(time.Now())[0]
	if got.SourceState != "reconnecting" || got.SourceAttempt != 2 || got.SourceReason != "refused" {
		t.Errorf("while lost: state %q, attempt %d, reason %q; want reconnecting, 2, refused", got.SourceState, got.SourceAttempt, got.SourceReason)
	}
	if v := gaugeOf(t, m, "framewire_source_reconnecting"); v != 1 {
		t.Errorf("framewire_source_reconnecting while lost = %v, want 1", v)
	}
	w.SourceStatus(&pb.SourceStatus{State: pb.SourceState_SOURCE_LIVE, Reconnects: 1, OutageUs: 2500000})
	got = m.live.list(time.Now())[0]
	if got.SourceState != "live" || got.SourceReconnects != 1 || got.SourceOutageSeconds != 2.5 {
		t.Errorf("back: state %q, %d reconnects, %v s; want live, 1, 2.5", got.SourceState, got.SourceReconnects, got.SourceOutageSeconds)
	}
	if v := gaugeOf(t, m, "framewire_source_reconnects_total"); v != 1 {
		t.Errorf("framewire_source_reconnects_total = %v, want 1", v)
	}
	if v := gaugeOf(t, m, "framewire_source_outage_seconds_total"); v != 2.5 {
		t.Errorf("framewire_source_outage_seconds_total = %v, want 2.5", v)
	}
}

// gaugeOf is the value of the one series of the metric name.
func gaugeOf(t *testing.T, m *Monitor, name string) float64 {
	t.Helper()
	families, err := m.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			s := f.GetMetric()[0]
			return s.GetGauge().GetValue() + s.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
