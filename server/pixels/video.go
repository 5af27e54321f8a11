package pixels

import "github.com/framewire/framewire/server/core"

var _ core.VideoPicture = (*picture)(nil)

// KeepVideo has the next Annotate give keep the annotated pixels as I420.
func (p *picture) KeepVideo(keep func(core.VideoFrame)) { p.video = keep }
