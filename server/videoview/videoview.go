// Package videoview serves the streams' videos (server --video) over
// HTTP for the live view's players: the list of streams with a video, each
// one's segments, index and playlist (with byte ranges, for HLS), and a
// finished one as a single MP4 to download.
package videoview

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/framewire/framewire/internal/pathtext"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder/video"
	"github.com/framewire/framewire/server/store/folder/video/join"
)

// View serves the videos in an output folder. Safe for concurrent use.
type View struct {
	fsys fs.FS // the output folder: <name>/video/...
	// ffmpeg encodes a video again when its picture changed size (Join).
	ffmpeg string
}

// New serves the videos of the stream folders in fsys; ffmpeg joins a
// video whose picture changed size.
func New(fsys fs.FS, ffmpeg string) *View { return &View{fsys: fsys, ffmpeg: ffmpeg} }

// Register adds the view's routes to mux: GET /api/videos and
// /video/{name}/{file} (a segment, segments.json, index.m3u8, or
// video.mp4: the segments joined).
func (v *View) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/videos", v.serveList)
	mux.HandleFunc("GET /video/{name}/{file}", v.serveFile)
}

// entry is one stream's video in /api/videos.
type entry struct {
	Name     string  `json:"name"`
	Segments int     `json:"segments"`
	Frames   int     `json:"frames"`
	Seconds  float64 `json:"seconds"`
	Ended    bool    `json:"ended"`
	// Codecs is the segments' codec for a player (avc1.PPCCLL).
	Codecs string `json:"codecs"`
	// Base is where its files are, MP4 the whole video to download
	// (when ended).
	Base string `json:"base"`
	MP4  string `json:"mp4,omitempty"`
}

// serveList lists the stream folders that hold a video, by name.
func (v *View) serveList(w http.ResponseWriter, r *http.Request) {
	dirs, _ := fs.ReadDir(v.fsys, ".")
	list := []entry{}
	for _, d := range dirs {
		if e, ok := v.entry(d.Name()); ok && d.IsDir() {
			list = append(list, e)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"videos": list})
}

// entry describes name's video; false when it has none yet.
func (v *View) entry(name string) (entry, bool) {
	x, err := video.ReadIndex(v.fsys, path.Join(name, record.VideoDir))
	if err != nil || len(x.Segments) == 0 || strings.HasPrefix(name, ".") {
		return entry{}, false
	}
	e := entry{Name: pathtext.Text(name), Segments: len(x.Segments), Ended: x.Ended,
		Base: "/video/" + url.PathEscape(name) + "/"}
	for _, s := range x.Segments {
		e.Frames += s.Count
		e.Seconds += float64(s.DurationUs) / 1e6
	}
	e.Codecs = video.Codecs(v.fsys, path.Join(name, record.VideoDir), x.Segments[0])
	if x.Ended {
		e.MP4 = e.Base + "video.mp4"
	}
	return e, true
}

// serveFile serves one file of a stream's video folder, with ranges.
func (v *View) serveFile(w http.ResponseWriter, r *http.Request) {
	name, file := r.PathValue("name"), r.PathValue("file")
	if !fs.ValidPath(name) || strings.ContainsAny(name+file, `/\`) || strings.HasPrefix(file, ".") {
		http.NotFound(w, r)
		return
	}
	dir := path.Join(name, record.VideoDir)
	w.Header().Set("Cache-Control", "no-cache")
	switch {
	case file == "video.mp4":
		v.serveJoined(w, r, name, dir)
		return
	case strings.HasSuffix(file, ".m3u8"):
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	case strings.HasSuffix(file, ".mp4"):
		w.Header().Set("Content-Type", "video/mp4")
	}
	http.ServeFileFS(w, r, v.fsys, path.Join(dir, file))
}

// serveJoined sends a finished video's segments as one fragmented MP4.
func (v *View) serveJoined(w http.ResponseWriter, r *http.Request, name, dir string) {
	x, err := video.ReadIndex(v.fsys, dir)
	if err != nil || !x.Ended {
		http.Error(w, "no finished video for this stream", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(pathtext.Text(name), `"`, "_")+`.mp4"`)
	if err := join.Join(r.Context(), w, v.fsys, dir, x, v.ffmpeg); err != nil {
		// Headers are gone: the download ends short.
		return
	}
}
