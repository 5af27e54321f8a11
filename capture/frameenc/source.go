package frameenc

import (
	"context"
	"errors"
	"fmt"

	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/internal/redact"
	framewirepb "github.com/framewire/framewire/proto"
)

// Source is a source of decoded frames encoded for the stream: each
// frame read is encoded, so whatever drops frames goes inside it. It is
// what the client streams from (a stream.FrameSource, which can skip).
// Next, SkipTo and Close belong to one goroutine; Info and LimitRaw may
// be called from any.
type Source struct {
	r       frames.Reader
	enc     *Encoder
	info    frames.Info
	encoded int64 // frames encoded here (not those sent as their own bytes)
	closed  bool
}

// Wrap encodes the frames of r as cfg says. It takes r over: Close
// closes it.
func Wrap(r frames.Reader, cfg Config) *Source {
	info := r.Info()
	if info.Width > 0 && info.Height > 0 {
		info.Width, info.Height = cfg.Size(info.Width, info.Height)
	}
	enc := New(cfg)
	if cfg.Raw && cfg.Width == 0 && cfg.Height == 0 {
		// Frames not resized can be read straight into the buffers sent.
		frames.UseBuffers(r, enc)
	}
	return &Source{r: r, enc: enc, info: info}
}

// Info describes the source; Width and Height are those of the frames
// as sent.
func (s *Source) Info() frames.Info { return s.info }

// Next reads the next frame and encodes it. The Frame and its Data
// belong to the caller. Errors are the Reader's, as it returned them
// (io.EOF at the end of a finite source), or say which frame could not
// be encoded.
func (s *Source) Next(ctx context.Context) (*framewirepb.Frame, error) {
	f, err := s.r.Read(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.encode(f)
	if err != nil {
		return nil, err
	}
	return &framewirepb.Frame{
		Seq: f.Seq, CaptureUnixNano: f.At.UnixNano(), PositionUs: f.PositionUs, SourceName: f.Name,
		Encoding: e.Encoding, Data: e.Data, Width: int32(e.Width), Height: int32(e.Height),
	}, nil
}

// encode is f's bytes as sent. A photo that cannot be encoded still goes,
// with no bytes, so that the server records it as failed under its name.
func (s *Source) encode(f frames.Frame) (frames.Encoded, error) {
	if f.Image == nil {
		return f.Encoded, nil
	}
	s.encoded++
	e, err := s.enc.Encode(*f.Image, f.Pixels)
	switch {
	case err == nil:
		return e, nil
	case f.Name != "":
		return frames.Encoded{Encoding: framewirepb.Encoding_ENCODING_JPEG}, nil
	}
	return e, fmt.Errorf("encode frame %d of %s %q %w", f.Seq, s.info.Kind, redact.Source(s.info.Source), err)
}

// Encoded is how many frames Next encoded (the rest went as the source's
// own bytes). It belongs to Next's goroutine.
func (s *Source) Encoded() int64 { return s.encoded }

// SkipTo skips on the source it wraps, without decoding or encoding the
// frames passed.
func (s *Source) SkipTo(seq int64) error { return s.r.SkipTo(seq) }

// LimitRaw lowers the largest raw frame sent (see Encoder.LimitRaw). It
// is safe to call while another goroutine reads frames.
func (s *Source) LimitRaw(n int) { s.enc.LimitRaw(n) }

// Recycle takes back a frame Next gave that was answered, or replaced
// unsent by a newer live frame (a stream.Recycler): the buffer of a raw frame, which the Encoder made or
// lent the reader, is filled again with a later frame; other frames' bytes (a photo file's,
// a JPEG) are left alone. Safe to call while another goroutine reads.
func (s *Source) Recycle(f *framewirepb.Frame) {
	if f.GetEncoding() == framewirepb.Encoding_ENCODING_RAW_BGR {
		s.enc.Put(f.GetData())
	}
}

// Close closes the source it wraps and frees the encoder. It is safe to
// call more than once.
func (s *Source) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return errors.Join(s.r.Close(), s.enc.Close())
}
