package capturecmd

import (
	"fmt"
	"io"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/progressbar"
	pb "github.com/framewire/framewire/proto"
)

// resultOutput is what the client does with each result: save the
// returned JPEG (--save), print the result and move the progress bar.
// Used from one goroutine (the stream's result callback), then finish.
type resultOutput struct {
	p    *printer
	save *saver           // nil without --save
	bar  *progressbar.Bar // nil unless stderr is a terminal and the source finite
	// lineClears says result lines go to a terminal, where the bar must
	// make way for each of them.
	lineClears bool
}

func newResultOutput(o *options, info capture.Info, p *printer, stdout, stderr io.Writer) (*resultOutput, error) {
	out := &resultOutput{p: p}
	if o.save != "" {
		s, err := newSaver(o.save)
		if err != nil {
			return nil, err
		}
		out.save = s
	}
	if !o.quiet && !info.Live {
		out.bar = progressbar.New(stderr, info.FrameCount)
		out.lineClears = progressbar.IsTerminal(stdout)
	}
	return out, nil
}

func (out *resultOutput) result(r *pb.FrameResult, latency time.Duration) {
	out.save.save(r)
	if out.lineClears {
		out.bar.Clear()
	}
	out.p.result(r, latency)
	out.bar.Add(r)
}

// finish takes the bar away, says where the images were saved and returns
// the first error saving them.
func (out *resultOutput) finish(stderr io.Writer) error {
	out.bar.Finish()
	out.save.close()
	if out.save == nil {
		return nil
	}
	fmt.Fprintf(stderr, "saved %d annotated JPEGs in %s\n", out.save.saved, out.save.where())
	return out.save.err
}
