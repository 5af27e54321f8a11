package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
)

// report is the whole run, as written to --json-out.
type report struct {
	Started  time.Time    `json:"started"`
	Duration float64      `json:"duration_s"`
	Host     hostInfo     `json:"host"`
	Config   rig.Options  `json:"config"`
	Figures  []fig.Figure `json:"figures"`
}

type hostInfo struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	CVThreads int    `json:"opencv_threads"`
	// LoadAvg is /proc/loadavg at the start and at the end: a busy shared
	// machine shows here.
	LoadAvg [2]string `json:"loadavg"`
}

// loadAvg returns the first three fields of /proc/loadavg, or "" on error.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// writeJSON writes r, indented, to path.
func writeJSON(path string, r *report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
