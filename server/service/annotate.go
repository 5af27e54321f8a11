package service

import (
	"bytes"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// annotate draws dets on pic and writes it as r's frame's JPEG when the
// stream's options keep it, hands it to a watching live view, and fills
// r's output path, JPEG and timings. pic is closed.
func (s *session) annotate(pic core.Picture, dets []core.Detection, r *pb.FrameResult) error {
	seq := r.GetSeq()
	save := s.opts.save(seq, len(dets))
	watched := s.watch.WantJPEG()
	if !save && !watched {
		return pic.Close()
	}
	if save {
		s.keepVideo(pic, seq)
	}
	t := time.Now()
	return pic.Annotate(dets, s.svc.cfg.JPEGQuality, func(jpg []byte) error {
		r.Timings.AnnotateUs = time.Since(t).Microseconds()
		return s.keep(jpg, save, watched, r)
	})
}

// keep hands jpg (valid only during the call) to those who asked for it:
// the live view, the client (return_jpeg) and the output. A Go copy is
// made only for those who hold on to it.
func (s *session) keep(jpg []byte, save, watched bool, r *pb.FrameResult) error {
	t := time.Now()
	var kept []byte
	if watched || save && s.opts.returnJPEG {
		kept = bytes.Clone(jpg)
	}
	if watched {
		s.watch.Annotated(r.GetSeq(), kept)
	}
	if !save {
		return nil
	}
	if s.opts.returnJPEG {
		r.AnnotatedJpeg = kept
	}
	path, err := s.write(r.GetSeq(), jpg)
	if err != nil {
		return err
	}
	r.OutputPath = path
	r.Timings.WriteUs = time.Since(t).Microseconds()
	return nil
}

// keepVideo has pic hand its annotated pixels to an output that makes a
// video of them, so that the video is not made from the JPEG decoded
// again.
func (s *session) keepVideo(pic core.Picture, seq int64) {
	vo, ok := s.out.(core.VideoOutput)
	if !ok || !vo.WantsVideoFrames() {
		return
	}
	if vp, ok := pic.(core.VideoPicture); ok {
		vp.KeepVideo(func(v core.VideoFrame) { vo.KeepVideoFrame(seq, v) })
	}
}
