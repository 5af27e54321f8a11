// Package enginefig measures framewire-bench's figures g to j: the kserve
// offload, forward time per engine, the whole pipeline per engine against
// the Python loop, and ImageMeanWH against the tutorial's Python server.
package enginefig

import "github.com/framewire/framewire/cmd/framewire-bench/internal/rig"

// Bench measures the figures on the run's shared bench.
type Bench struct{ *rig.Bench }
