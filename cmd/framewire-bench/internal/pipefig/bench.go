// Package pipefig measures framewire-bench's figures a to f: the stream
// against the pipeline in-process and against unary calls, ImageMeanWH,
// model utilisation, live latency and memory growth.
package pipefig

import "github.com/framewire/framewire/cmd/framewire-bench/internal/rig"

// Bench measures the figures on the run's shared bench.
type Bench struct{ *rig.Bench }
