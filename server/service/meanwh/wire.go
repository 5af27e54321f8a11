package meanwh

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// Request is the tutorial's B64Image as it arrived, read in place: the
// base64 text is the spans of the message's own buffers (no copy, and no
// UTF-8 check: a character outside base64 fails the call anyway). Free
// gives the buffers back; a Request is read by Codec only.
type Request struct {
	// Text is b64image, chunk after chunk.
	Text          [][]byte
	Width, Height int32
	data          mem.BufferSlice
}

// Compute answers r as Compute answers a decoded B64Image.
func (r *Request) Compute() (channels int32, mean float32, err error) {
	return ComputeChunks(r.Text, r.Width, r.Height)
}

// Free releases the message's buffers; r's Text is gone after it.
func (r *Request) Free() {
	r.data.Free()
	*r = Request{}
}

// Codec is gRPC's proto codec, except that it reads a *Request itself:
// a server that registers ImageMeanWH with Request forces it
// (grpc.ForceServerCodecV2). Every other message goes to the proto codec.
type Codec struct{ proto encoding.CodecV2 }

var _ encoding.CodecV2 = Codec{}

// NewCodec wraps gRPC's registered proto codec.
func NewCodec() Codec { return NewCodecOver(encoding.GetCodecV2(grpcproto.Name)) }

// NewCodecOver wraps inner, a codec of proto messages named "proto", which
// reads and writes every message but a *Request.
func NewCodecOver(inner encoding.CodecV2) Codec { return Codec{proto: inner} }

// Name is the proto codec's, so that clients see nothing different.
func (c Codec) Name() string { return grpcproto.Name }

// Marshal is the proto codec's.
func (c Codec) Marshal(v any) (mem.BufferSlice, error) { return c.proto.Marshal(v) }

// Unmarshal reads a *Request in place, keeping data until its Free, and
// gives everything else to the proto codec.
func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	r, ok := v.(*Request)
	if !ok {
		return c.proto.Unmarshal(data, v)
	}
	if err := r.parse(data); err != nil {
		return fmt.Errorf("parse B64Image: %w", err)
	}
	data.Ref()
	r.data = data
	return nil
}

// Wire types of the protobuf encoding.
const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

// parse reads the B64Image fields (b64image = 1, width = 2, height = 3)
// from data; a repeated field's last value wins, unknown fields are
// skipped, as the proto codec does.
func (r *Request) parse(data mem.BufferSlice) error {
	w := wireReader{bufs: data}
	for !w.done() {
		tag, err := w.varint()
		if err != nil {
			return err
		}
		if err := r.field(&w, tag>>3, tag&7); err != nil {
			return err
		}
	}
	return nil
}

// field reads the value of field num of wire type typ.
func (r *Request) field(w *wireReader, num, typ uint64) error {
	switch {
	case num == 1 && typ == wireLen:
		n, err := w.varint()
		if err != nil {
			return err
		}
		r.Text, err = w.spans(n)
		return err
	case (num == 2 || num == 3) && typ == wireVarint:
		v, err := w.varint()
		if num == 2 {
			r.Width = int32(v)
		} else {
			r.Height = int32(v)
		}
		return err
	}
	return w.skip(typ)
}

// wireReader reads protobuf wire format across a message's buffers.
type wireReader struct {
	bufs mem.BufferSlice
	i    int    // the buffer being read
	cur  []byte // what is left of it
}

var errTruncated = errors.New("message truncated")

// done reports whether every byte has been read.
func (w *wireReader) done() bool {
	for len(w.cur) == 0 && w.i < len(w.bufs) {
		w.cur, w.i = w.bufs[w.i].ReadOnlyData(), w.i+1
	}
	return len(w.cur) == 0
}

// byte reads one byte.
func (w *wireReader) byte() (byte, error) {
	if w.done() {
		return 0, errTruncated
	}
	b := w.cur[0]
	w.cur = w.cur[1:]
	return b, nil
}

// varint reads a base-128 varint of at most 10 bytes.
func (w *wireReader) varint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 70; shift += 7 {
		b, err := w.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint too long")
}

// spans returns the next n bytes as slices of the buffers, in place.
func (w *wireReader) spans(n uint64) ([][]byte, error) {
	var out [][]byte
	for n > 0 {
		if w.done() {
			return nil, errTruncated
		}
		k := min(n, uint64(len(w.cur)))
		out = append(out, w.cur[:k])
		w.cur, n = w.cur[k:], n-k
	}
	return out, nil
}

// skip reads past a value of wire type typ.
func (w *wireReader) skip(typ uint64) error {
	var n uint64
	switch typ {
	case wireVarint:
		_, err := w.varint()
		return err
	case wireI64:
		n = 8
	case wireI32:
		n = 4
	case wireLen:
		var err error
		if n, err = w.varint(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unsupported wire type %d", typ)
	}
	_, err := w.spans(n)
	return err
}
