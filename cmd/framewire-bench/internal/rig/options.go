package rig

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options are the bench's flags; they are written into the JSON report.
type Options struct {
	Only            string        `json:"only"`
	Video           string        `json:"video"`
	Frames          int           `json:"frames"`
	Rounds          int           `json:"rounds"`
	Workers         int           `json:"workers"`
	CVThreads       int           `json:"cv_threads"`
	Window          int           `json:"window"`
	Model320        string        `json:"model_320"`
	Model416        string        `json:"model_416"`
	UnaryCallers    int           `json:"unary_callers"`
	MeanWHDuration  time.Duration `json:"meanwh_duration_ns"`
	ThreadConfigs   string        `json:"thread_configs"`
	LiveSource      string        `json:"live_source"`
	LiveDuration    time.Duration `json:"live_duration_ns"`
	LiveWindow      int           `json:"live_window"`
	MemBase         int           `json:"mem_base"`
	MemFrames       int           `json:"mem_frames"`
	Streams         int           `json:"streams"`
	Cameras         int           `json:"cameras"`
	CamerasDuration time.Duration `json:"cameras_duration_ns"`
	Python          string        `json:"python"`
	Scripts         string        `json:"scripts"`
	Proto           string        `json:"proto"`
	Labels          string        `json:"labels"`
	JSONOut         string        `json:"-"`
	TmpDir          string        `json:"-"`
}

// ThreadConfig is one workers x OpenCV threads setting.
type ThreadConfig struct{ Workers, Threads int }

func (c ThreadConfig) String() string { return fmt.Sprintf("%dx%d", c.Workers, c.Threads) }

// ParseThreadConfigs reads "1x2,2x1".
func ParseThreadConfigs(s string) ([]ThreadConfig, error) {
	var out []ThreadConfig
	for part := range strings.SplitSeq(s, ",") {
		var c ThreadConfig
		if _, err := fmt.Sscanf(strings.TrimSpace(part), "%dx%d", &c.Workers, &c.Threads); err != nil || c.Workers < 1 || c.Threads < 1 {
			return nil, fmt.Errorf("--thread-configs %q: want WORKERSxTHREADS,... with positive numbers", s)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}
