package capture

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/capture/imagefiles"
	framewirepb "github.com/framewire/framewire/proto"
)

// maxUnreadable is how much of a file OpenCV cannot read is sent, so that
// the server rejects it as a frame that names the file.
const maxUnreadable = 64 << 10

// ImageReader reads the photos of a folder, a glob or a list file, one
// frame each, in order: a finite source like a video file (no drops,
// SkipTo for resuming). A JPEG or PNG goes as its own bytes unless
// Options resize it; any other image is decoded, for the encoder. A file
// that cannot be read as an image is still a frame, carrying (at most
// 64 KiB of) its bytes, so the server records it as failed, naming the
// file, and the run goes on. Every frame's name is its file's.
//
// An ImageReader owns the Mat of the last image it decoded; Close
// releases it. Read, SkipTo and Close must not be called concurrently;
// Info may be called from any goroutine.
type ImageReader struct {
	info    Info
	resize  bool // Options resize the images: every one is decoded
	files   []imagefiles.File
	next    int
	decoded *gocv.Mat // the last image decoded, until the next Read; nil when none
	closed  bool
}

var _ frames.Reader = (*ImageReader)(nil)

// openImages lists the images spec names (see imageKind: a folder, a
// glob or a .txt list). The caller must Close the returned reader.
func openImages(spec string, opts Options) (*ImageReader, error) {
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
	return newImageReader(spec, kind, opts, files), nil
}

// newImageReader is the reader of files, listed from spec of kind; its
// size is the first image's, if its header tells it.
func newImageReader(spec, kind string, opts Options, files []imagefiles.File) *ImageReader {
	s := &ImageReader{
		resize: opts.Width != 0 || opts.Height != 0, files: files,
		info: Info{Source: spec, Kind: kind, FrameCount: int64(len(files))},
	}
	if w, h, ok := imagefiles.HeaderSize(files[0].Path); ok {
		s.info.Width, s.info.Height = w, h
	}
	return s
}

// Info describes the source; Width and Height are the first image's, as
// its header says (0 when it does not).
func (s *ImageReader) Info() Info { return s.info }

// Files are the paths of the images, in frame order.
func (s *ImageReader) Files() []string {
	out := make([]string, len(s.files))
	for i, f := range s.files {
		out[i] = f.Path
	}
	return out
}

// Read returns the next image as a frame (Seq is its index), or io.EOF
// after the last.
func (s *ImageReader) Read(ctx context.Context) (frames.Frame, error) {
	if err := s.ready(ctx); err != nil {
		return frames.Frame{}, err
	}
	s.release()
	i := s.next
	s.next++
	f := s.frame(s.files[i].Path)
	f.Seq, f.At, f.Name = int64(i), time.Now(), s.files[i].Name
	return f, nil
}

// ready fails when there is no next image to read: s is closed, ctx
// done or every image read (io.EOF).
func (s *ImageReader) ready(ctx context.Context) error {
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

// frame reads one file as a frame (without Seq, time and name): its own
// bytes when they may go as they are, else decoded.
func (s *ImageReader) frame(path string) frames.Frame {
	data, err := os.ReadFile(path)
	if err != nil {
		// No bytes: the server records "no image bytes" under the name.
		return frames.Frame{Encoded: frames.Encoded{Encoding: framewirepb.Encoding_ENCODING_JPEG}}
	}
	if !s.resize {
		if f, ok := imagefiles.AsFrame(data); ok {
			return frames.Frame{Encoded: frames.Encoded{
				Data: f.Data, Encoding: f.Encoding, Width: int(f.Width), Height: int(f.Height),
			}}
		}
	}
	return s.decode(data)
}

// decode decodes the image file data, for the encoder; data OpenCV
// cannot read goes as it is, cut to maxUnreadable.
func (s *ImageReader) decode(data []byte) frames.Frame {
	img, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err == nil && !img.Empty() {
		s.decoded = &img
		return frames.Frame{Image: s.decoded}
	}
	if err == nil {
		img.Close()
	}
	return frames.Frame{Encoded: frames.Encoded{
		Encoding: framewirepb.Encoding_ENCODING_JPEG, Data: data[:min(len(data), maxUnreadable)],
	}}
}

// release closes the Mat of the last image decoded, if any.
func (s *ImageReader) release() {
	if s.decoded != nil {
		// Closing a Mat cannot fail.
		_ = s.decoded.Close()
		s.decoded = nil
	}
}

// SkipTo makes the image with index seq the next one. Going back is an
// error; skipping past the end returns an error wrapping io.EOF and
// leaves the source at its end.
func (s *ImageReader) SkipTo(seq int64) error {
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

// Close releases the last image's Mat. It is safe to call more than once.
func (s *ImageReader) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.release()
	return nil
}
