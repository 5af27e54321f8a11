package monitor

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/framewire/framewire/internal/fps"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/monitor/mjpeg"
)

//go:embed liveview.html
var liveViewPage []byte

// ViewerWriteTimeout bounds the write of one MJPEG frame to a viewer; a
// viewer that takes longer is disconnected.
const ViewerWriteTimeout = 10 * time.Second

// fpsWindow is how many of the latest results the live frame rate is
// measured over; results older than fpsMaxAge do not count.
const (
	fpsWindow = 32
	fpsMaxAge = 3 * time.Second
)

// liveView keeps, for every open stream, its latest result and the viewers
// of its annotated frames, and serves them over HTTP. It implements
// frameObserver. Every viewer has a one-frame mailbox that the newest frame
// overwrites, so a slow viewer only misses frames and never slows the
// pipeline. Safe for concurrent use.
type liveView struct {
	mu      sync.Mutex
	streams map[string]*liveStream // open streams by name
}

// liveStream is the live view of one stream, guarded by liveView.mu.
type liveStream struct {
	st       *streamState
	viewers  map[*mjpeg.Mailbox]bool
	ended    chan struct{} // closed when the stream ends
	last     *pb.FrameResult
	lastE2E  time.Duration
	lastJPEG []byte
	times    []time.Time   // when the latest results (at most fpsWindow) were recorded
	tracks   core.TrackIDs // distinct track ids seen, by label
}

// newLiveView has no streams yet.
func newLiveView() *liveView {
	return &liveView{streams: map[string]*liveStream{}}
}

func (v *liveView) streamOpened(st *streamState) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.streams[st.name] = &liveStream{st: st, viewers: map[*mjpeg.Mailbox]bool{}, ended: make(chan struct{})}
}

func (*liveView) frameReceived(*streamState, *pb.Frame) {}

// sourceChanged needs nothing: describe reads the stream's source news.
func (*liveView) sourceChanged(*streamState, *pb.SourceStatus, bool) {}

func (v *liveView) frameDone(st *streamState, d doneFrame) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ls := v.streams[st.name]
	if ls == nil || ls.st != st || d.result.GetStatus() == pb.FrameStatus_FRAME_DROPPED {
		return
	}
	ls.note(d)
	if d.jpeg != nil {
		ls.show(d.jpeg)
	}
}

// note keeps the result of a frame done, its tracks and its time.
func (ls *liveStream) note(d doneFrame) {
	ls.last, ls.lastE2E = d.result, d.e2e
	ls.noteTracks(d.result)
	ls.times = append(ls.times, time.Now())
	if len(ls.times) > fpsWindow {
		ls.times = slices.Delete(ls.times, 0, len(ls.times)-fpsWindow)
	}
}

// show keeps jpeg as the stream's picture and offers it to the viewers.
func (ls *liveStream) show(jpeg []byte) {
	ls.lastJPEG = jpeg
	for w := range ls.viewers {
		w.Offer(jpeg)
	}
}

func (v *liveView) streamClosed(st *streamState) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ls := v.streams[st.name]; ls != nil && ls.st == st {
		close(ls.ended)
		delete(v.streams, st.name)
	}
}

// watched says whether st has a viewer now.
func (v *liveView) watched(st *streamState) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	ls := v.streams[st.name]
	return ls != nil && ls.st == st && len(ls.viewers) > 0
}

// servePage serves the live view page.
func (v *liveView) servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(liveViewPage)
}

// streamJSON is one open stream in /api/streams.
type streamJSON struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Source     string    `json:"source"`
	Model      string    `json:"model"`
	Peer       string    `json:"peer"`
	Live       bool      `json:"live"`
	FrameCount int64     `json:"frame_count"`
	Started    time.Time `json:"started"`
	Received   int64     `json:"received"`
	Processed  int64     `json:"processed"`
	Failed     int64     `json:"failed"`
	Dropped    int64     `json:"dropped"`
	// FPS is the rate of results over the latest ones.
	FPS     float64 `json:"fps"`
	Viewers int     `json:"viewers"`
	// Last is the latest result, as its predictions.jsonl line.
	Last *record.Frame `json:"last,omitempty"`
	// LastLatencyMS is the server's time for the latest result, from the
	// frame's arrival to its recorded result.
	LastLatencyMS float64 `json:"last_latency_ms"`
	// Tracks counts the distinct track ids seen so far, by label (tracked
	// streams only).
	Tracks map[string]int64 `json:"tracks,omitempty"`
	Counts []record.Count   `json:"counts,omitempty"` // per line, zone and class (counting rules)
	// SourceState is "live", or "reconnecting" while the client's live
	// source is lost and being opened again; SourceAttempt and
	// SourceReason say which attempt and why. SourceReconnects counts the
	// outages that ended and SourceOutageSeconds how long they lasted.
	SourceState         string  `json:"source_state"`
	SourceAttempt       int32   `json:"source_attempt,omitempty"`
	SourceReason        string  `json:"source_reason,omitempty"`
	SourceReconnects    int64   `json:"source_reconnects"`
	SourceOutageSeconds float64 `json:"source_outage_seconds"`
}

// serveStreams lists the open streams as JSON, ordered by name.
func (v *liveView) serveStreams(w http.ResponseWriter, r *http.Request) {
	list := v.list(time.Now())
	slices.SortFunc(list, func(a, b streamJSON) int { return strings.Compare(a.Name, b.Name) })
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"streams": list})
}

// list describes the running streams as at now, in no order.
func (v *liveView) list(now time.Time) []streamJSON {
	list := []streamJSON{}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, ls := range v.streams {
		list = append(list, ls.describe(now))
	}
	return list
}

// describe is the stream's entry in the list, as at now.
func (ls *liveStream) describe(now time.Time) streamJSON {
	st := ls.st
	j := streamJSON{
		ID: st.id, Name: st.name, Source: st.source, Model: st.model, Peer: st.peer,
		Live: st.live, FrameCount: st.frameCount, Started: st.opened,
		Received: st.received.Load(), Processed: st.processed.Load(),
		Failed: st.failed.Load(), Dropped: st.dropped.Load(),
		FPS: fps.Recent(ls.times, now, fpsMaxAge), Viewers: len(ls.viewers),
		LastLatencyMS: float64(ls.lastE2E.Microseconds()) / 1000,
		Tracks:        ls.trackCounts(), Counts: st.counts.Load(),
	}
	if ls.last != nil {
		l := record.FromResult(ls.last)
		j.Last = &l
	}
	j.describeSource(st.sourceNow())
	return j
}

// describeSource fills in the state of the client's live source.
func (j *streamJSON) describeSource(n sourceSnapshot) {
	j.SourceState = "live"
	if n.reconnecting {
		j.SourceState, j.SourceAttempt, j.SourceReason = "reconnecting", n.attempt, n.reason
	}
	j.SourceReconnects, j.SourceOutageSeconds = n.reconnects, n.outage.Seconds()
}

// subscribe adds a viewer to the open stream called name. The viewer's
// mailbox starts with the stream's latest frame, if it has one.
func (v *liveView) subscribe(name string) (*mjpeg.Mailbox, *liveStream, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ls := v.streams[name]
	if ls == nil {
		return nil, nil, false
	}
	w := mjpeg.NewMailbox()
	if ls.lastJPEG != nil {
		w.Offer(ls.lastJPEG)
	}
	ls.viewers[w] = true
	return w, ls, true
}

func (v *liveView) unsubscribe(ls *liveStream, w *mjpeg.Mailbox) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(ls.viewers, w)
	if len(ls.viewers) == 0 {
		ls.lastJPEG = nil // no longer refreshed: do not show it to the next viewer
	}
}

// serveMJPEG streams the annotated frames of one stream as
// multipart/x-mixed-replace JPEGs, newest frame only, until the stream
// ends, the request's context ends or a frame cannot be written within
// ViewerWriteTimeout.
func (v *liveView) serveMJPEG(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	vw, ls, ok := v.subscribe(name)
	if !ok {
		http.Error(w, fmt.Sprintf("no stream %q is running", name), http.StatusNotFound)
		return
	}
	defer v.unsubscribe(ls, vw)
	mw := mjpeg.New(w)
	if mw.Start() != nil {
		return
	}
	for {
		jpg, ok := nextJPEG(r, vw, ls, mw)
		if !ok || mw.WritePart(jpg, ViewerWriteTimeout) != nil {
			return
		}
	}
}

// nextJPEG waits for the viewer's next frame; ok is false when there is
// none to show: the stream is over (and mw closed) or the request ended.
func nextJPEG(r *http.Request, vw *mjpeg.Mailbox, ls *liveStream, mw *mjpeg.Writer) (jpg []byte, ok bool) {
	select {
	case jpg = <-vw.Frames():
		return jpg, true
	case <-ls.ended:
		// The stream is over: show its last frame if it is still in
		// the mailbox, then the closing boundary.
		if jpg = vw.Pending(); jpg == nil {
			mw.Close()
			return nil, false
		}
		return jpg, true
	case <-r.Context().Done():
		return nil, false
	}
}

// noteTracks adds r's track ids. Called with liveView.mu held.
func (ls *liveStream) noteTracks(r *pb.FrameResult) {
	for _, d := range r.GetDetections() {
		ls.tracks.Add(d.GetLabel(), d.GetTrackId())
	}
}

// trackCounts is the number of distinct tracks by label, nil when none.
// Called with liveView.mu held.
func (ls *liveStream) trackCounts() map[string]int64 {
	if counts := ls.tracks.Counts(); len(counts) > 0 {
		return counts
	}
	return nil
}
