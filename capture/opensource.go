package capture

import (
	"context"

	framewirepb "github.com/framewire/framewire/proto"
)

// Source is an opened source of frames: a *VideoSource or an
// *ImageSource.
type Source interface {
	Next(ctx context.Context) (*framewirepb.Frame, error)
	SkipTo(seq int64) error
	Info() Info
	Close() error
}

// OpenSource opens spec as a folder, glob or .txt list of images
// (OpenImages) when it names one, else as a video source (Open).
func OpenSource(spec string, opts Options) (Source, error) {
	if imageKind(spec) != "" {
		return OpenImages(spec, opts)
	}
	return Open(spec, opts)
}
