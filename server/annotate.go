package server

import (
	"bytes"
	"fmt"
	"path"
	"time"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
)

// annotate draws dets on img, encodes it and writes it as r's frame's
// JPEG when the stream's options keep it, hands it to a watching live
// view, and fills r's output path, JPEG and timings from *t on.
func (s *session) annotate(img *gocv.Mat, dets []detect.Detection, r *pb.FrameResult, t *time.Time) error {
	seq := r.GetSeq()
	save := s.opts.save(seq, len(dets))
	watched := s.watch.WantJPEG()
	if !save && !watched {
		return nil
	}
	detect.Draw(img, dets)
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, *img, []int{gocv.IMWriteJpegQuality, s.p.cfg.JPEGQuality})
	if err != nil {
		return fmt.Errorf("encode annotated image: %w", err)
	}
	defer buf.Close()
	// native points into C memory, valid until buf.Close: the file is
	// written straight from it, and a Go copy is made only for those who
	// keep the bytes (a viewer, the client's --save).
	native := buf.GetBytes()
	var jpg []byte
	if watched || save && s.opts.returnJPEG {
		jpg = bytes.Clone(native)
	}
	r.Timings.AnnotateUs = lap(t)

	if watched {
		s.watch.Annotated(seq, jpg)
	}
	if save && s.opts.returnJPEG {
		r.AnnotatedJpeg = jpg
	}
	if save {
		if err := s.dir.writeImage(seq, native); err != nil {
			return err
		}
		r.OutputPath = path.Join(s.name, imageName(seq))
	}
	r.Timings.WriteUs = lap(t)
	return nil
}
