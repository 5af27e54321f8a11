package capture

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frameenc"
	"github.com/framewire/framewire/capture/imagefiles"
	"github.com/framewire/framewire/capture/pace"
	framewirepb "github.com/framewire/framewire/proto"
)

// maxUnreadable is how much of a file OpenCV cannot read is sent, so that
// the server rejects it as a frame that names the file.
const maxUnreadable = 64 << 10

// ImageSource reads the photos of a folder, a glob or a list file, one
// frame each, in order: a finite source like a video file (no drops,
// SkipTo for resuming). A JPEG or PNG is sent as its own bytes unless
// Options resize it; any other image is decoded and sent as JPEG. A file
// that cannot be read as an image is still a frame, carrying (at most
// 64 KiB of) its bytes, so the server records it as failed, naming the
// file, and the run goes on. Every frame's source name is its file's.
//
// An ImageSource owns one reusable Mat; Close releases it. Next, SkipTo
// and Close must not be called concurrently; Info may be called from any
// goroutine.
type ImageSource struct {
	info   Info
	opts   Options
	files  []imagefiles.File
	next   int
	enc    *frameenc.Encoder
	closed bool
	pace   pace.Pacer
	timer  *time.Timer
}

// OpenImages lists the images spec names (see imageKind: a folder, a
// glob or a .txt list). The caller must Close the returned source.
func OpenImages(spec string, opts Options) (*ImageSource, error) {
	kind := imageKind(spec)
	if kind == "" {
		return nil, fmt.Errorf("open %q: not a folder, a glob or a .txt list of images", spec)
	}
	opts, err := opts.normalize()
	if err != nil {
		return nil, fmt.Errorf("open %s %q: %w", kind, spec, err)
	}
	files, err := imagefiles.List(kind, spec)
	if err != nil {
		return nil, err
	}
	return newImageSource(spec, kind, opts, files), nil
}

// newImageSource is the source of files, listed from spec of kind; its
// size is the first image's, if its header tells it.
func newImageSource(spec, kind string, opts Options, files []imagefiles.File) *ImageSource {
	s := &ImageSource{
		opts: opts, files: files, enc: frameenc.New(opts.encoding()),
		pace: pace.New(opts.interval()),
		info: Info{Source: spec, Kind: kind, FrameCount: int64(len(files))},
	}
	if w, h, ok := imagefiles.HeaderSize(files[0].Path); ok {
		s.info.Width, s.info.Height = opts.outputSize(w, h)
	}
	return s
}

// Info describes the source; Width and Height are the first image's.
func (s *ImageSource) Info() Info { return s.info }

// Files are the paths of the images, in frame order.
func (s *ImageSource) Files() []string {
	out := make([]string, len(s.files))
	for i, f := range s.files {
		out[i] = f.Path
	}
	return out
}

// Next returns the next image as a frame (Seq is its index), or io.EOF
// after the last. ctx cancels MaxFPS waiting.
func (s *ImageSource) Next(ctx context.Context) (*framewirepb.Frame, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := pace.Sleep(ctx, &s.timer, s.pace.Wait(time.Now())); err != nil {
		return nil, err
	}
	return s.take(), nil
}

// ready fails when there is no next image to wait for: s is closed, ctx
// done or every image sent (io.EOF).
func (s *ImageSource) ready(ctx context.Context) error {
	if s.closed {
		return fmt.Errorf("next image of %s %q: source is closed", s.info.Kind, s.info.Source)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.next >= len(s.files) {
		return io.EOF
	}
	return nil
}

// take reads the next image as a frame sent now.
func (s *ImageSource) take() *framewirepb.Frame {
	i := s.next
	s.next++
	at := time.Now()
	s.pace.Sent(at)
	f := s.frame(s.files[i].Path)
	f.Seq, f.CaptureUnixNano, f.SourceName = int64(i), at.UnixNano(), s.files[i].Name
	return f
}

// frame reads one file as a frame (without Seq and time).
func (s *ImageSource) frame(path string) *framewirepb.Frame {
	data, err := os.ReadFile(path)
	if err != nil {
		// No bytes: the server records "no image bytes" under the name.
		return &framewirepb.Frame{Encoding: framewirepb.Encoding_ENCODING_JPEG}
	}
	if s.opts.Width == 0 && s.opts.Height == 0 {
		if f, ok := imagefiles.AsFrame(data); ok {
			return f
		}
	}
	return s.reencode(data)
}

// reencode decodes the image file data and encodes it again under
// Options (JPEG, or raw pixels when Options.Raw); data OpenCV cannot read is sent as it is, cut to
// maxUnreadable.
func (s *ImageSource) reencode(data []byte) *framewirepb.Frame {
	img, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err == nil {
		defer img.Close()
	}
	if err != nil || img.Empty() {
		return &framewirepb.Frame{Encoding: framewirepb.Encoding_ENCODING_JPEG, Data: data[:min(len(data), maxUnreadable)]}
	}
	e, err := s.enc.Encode(img)
	if err != nil {
		return &framewirepb.Frame{Encoding: framewirepb.Encoding_ENCODING_JPEG}
	}
	return &framewirepb.Frame{Encoding: e.Encoding, Data: e.Data, Width: int32(e.Width), Height: int32(e.Height)}
}

// SkipTo makes the image with index seq the next one. Going back is an
// error; skipping past the end returns an error wrapping io.EOF and
// leaves the source at its end.
func (s *ImageSource) SkipTo(seq int64) error {
	switch {
	case s.closed:
		return fmt.Errorf("skip to image %d of %q: source is closed", seq, s.info.Source)
	case seq < int64(s.next):
		return fmt.Errorf("skip to image %d of %q: already at image %d, cannot go back", seq, s.info.Source, s.next)
	case seq > int64(len(s.files)):
		s.next = len(s.files)
		return fmt.Errorf("skip to image %d of %q: there are %d images: %w", seq, s.info.Source, len(s.files), io.EOF)
	}
	s.next = int(seq)
	return nil
}

// Close releases the Mat. It is safe to call more than once.
func (s *ImageSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	return s.enc.Close()
}

// LimitRaw lowers the largest raw frame sent (see frameenc.Encoder.LimitRaw).
// It is safe to call while another goroutine reads frames.
func (s *ImageSource) LimitRaw(n int) { s.enc.LimitRaw(n) }
