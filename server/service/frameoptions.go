package service

import (
	"errors"
	"fmt"
	"slices"

	"github.com/framewire/framewire/internal/zonefile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// frameOptions are a stream's per-frame choices, checked once at Open.
// Read-only after construction, so safe for concurrent use.
type frameOptions struct {
	conf        float32
	classes     map[string]bool // nil = all
	saveEvery   int64
	onlyWithDet bool
	returnJPEG  bool
	track       bool // give detections track ids (finished in frame order)
	// zones are the stream's counting rules; nil for none.
	zones *zonefile.Config
}

// confRange is what a stream may ask for as its score threshold: the
// server's default for streams that ask nothing, and the lowest it accepts
// (the detector's own threshold).
type confRange struct {
	def, floor float32
}

// newFrameOptions checks o against the model's classes (nil = no class
// list to check against) and the server's score thresholds.
func newFrameOptions(o *pb.StreamOptions, classes []string, conf confRange) (frameOptions, error) {
	f := frameOptions{
		conf:        o.GetConf(),
		saveEvery:   int64(o.GetSaveEvery()),
		onlyWithDet: o.GetSaveOnlyDetections(),
		returnJPEG:  o.GetReturnJpeg(),
		track:       o.GetTrack(),
	}
	if u := o.ProtoReflect().GetUnknown(); len(u) > 0 {
		return f, fmt.Errorf("options carry %d bytes of fields this server does not know", len(u))
	}
	if f.conf < 0 || f.conf > 1 {
		return f, fmt.Errorf("option conf %v is outside 0..1", f.conf)
	}
	if f.conf == 0 {
		f.conf = conf.def
	}
	if f.conf < conf.floor {
		return f, fmt.Errorf("option conf %v is below this server's lowest, %v (its --min-conf)", f.conf, conf.floor)
	}
	if f.saveEvery < 0 {
		return f, fmt.Errorf("option save_every %d is negative", f.saveEvery)
	}
	if f.saveEvery == 0 {
		f.saveEvery = 1
	}
	if len(o.GetClasses()) > 0 {
		f.classes = map[string]bool{}
		for _, c := range o.GetClasses() {
			if classes != nil && !slices.Contains(classes, c) {
				return f, fmt.Errorf("option classes: the model has no class %q", c)
			}
			f.classes[c] = true
		}
	}
	return f, nil
}

// keep filters dets in place by score and class.
func (f frameOptions) keep(dets []core.Detection) []core.Detection {
	out := dets[:0]
	for _, d := range dets {
		if d.Score < f.conf || f.classes != nil && !f.classes[d.Label] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// save says whether frame seq with n detections gets an image on disk.
func (f frameOptions) save(seq int64, n int) bool {
	return seq%f.saveEvery == 0 && (!f.onlyWithDet || n > 0)
}

// checkZones reads a header's counting rules (zones) into f: they need
// tracking, and the classes they name must be the model's.
func (f *frameOptions) checkZones(text string, classes []string) error {
	if text == "" {
		return nil
	}
	c, err := zonefile.Parse([]byte(text))
	if err != nil {
		return fmt.Errorf("zones: %w", err)
	}
	if !f.track {
		return errors.New("zones: counting needs tracking: set options.track (framewire-capture --track)")
	}
	for _, class := range c.Classes() {
		if classes != nil && !slices.Contains(classes, class) {
			return fmt.Errorf("zones: the model has no class %q", class)
		}
	}
	f.zones = &c
	return nil
}
