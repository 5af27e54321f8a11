// Package mkv writes the Matroska stream a video encoder (ffmpeg) reads
// from a pipe: the one container it reads so that carries each frame's
// own time, for raw pixels, JPEGs and H.264 alike; only the few elements
// it needs.
package mkv

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Matroska element IDs.
var (
	idEBML        = []byte{0x1A, 0x45, 0xDF, 0xA3}
	idDocType     = []byte{0x42, 0x82}
	idSegment     = []byte{0x18, 0x53, 0x80, 0x67}
	idInfo        = []byte{0x15, 0x49, 0xA9, 0x66}
	idTimeScale   = []byte{0x2A, 0xD7, 0xB1}
	idTracks      = []byte{0x16, 0x54, 0xAE, 0x6B}
	idTrackEntry  = []byte{0xAE}
	idTrackNumber = []byte{0xD7}
	idTrackUID    = []byte{0x73, 0xC5}
	idTrackType   = []byte{0x83}
	idCodecID     = []byte{0x86}
	idVideo       = []byte{0xE0}
	idPixelWidth  = []byte{0xB0}
	idPixelHeight = []byte{0xBA}
	idColourSpace = []byte{0x2E, 0xB5, 0x24}
	idCodecPriv   = []byte{0x63, 0xA2}
	idCluster     = []byte{0x1F, 0x43, 0xB6, 0x75}
	idTimestamp   = []byte{0xE7}
	idSimpleBlock = []byte{0xA3}
)

// element is an EBML element: id, its size (8 bytes), body.
func element(id []byte, body ...[]byte) []byte {
	all := bytes.Join(body, nil)
	return append(append(append([]byte{}, id...), size8(uint64(len(all)))...), all...)
}

// size8 is an EBML size in 8 bytes.
func size8(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	b[0] = 0x01
	return b
}

// uintBody is an unsigned integer element's body.
func uintBody(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// Header starts a stream of one video track of codec (Raw: I420 pixels
// of w x h; JPEG; H264, private its avcC), its times in microseconds.
func Header(codec string, w, h int, private []byte) []byte {
	ebml := element(idEBML, element(idDocType, []byte("matroska")))
	video := [][]byte{element(idPixelWidth, uintBody(uint64(w))), element(idPixelHeight, uintBody(uint64(h)))}
	if codec == Raw {
		video = append(video, element(idColourSpace, []byte("I420")))
	}
	fields := [][]byte{element(idTrackNumber, uintBody(1)), element(idTrackUID, uintBody(1)),
		element(idTrackType, uintBody(1)), element(idCodecID, []byte(codec)), element(idVideo, video...)}
	if private != nil {
		fields = append(fields, element(idCodecPriv, private))
	}
	track := element(idTrackEntry, fields...)
	segment := append(append([]byte{}, idSegment...), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) // unknown size
	segment = append(segment, element(idInfo, element(idTimeScale, uintBody(1000)))...)
	segment = append(segment, element(idTracks, track)...)
	return append(ebml, segment...)
}

// Codec IDs of the encoder's input.
const (
	Raw  = "V_UNCOMPRESSED"
	JPEG = "V_MJPEG"
	H264 = "V_MPEG4/ISO/AVC"
)

// WriteFrame writes one frame, shown from us (microseconds) until the
// next one, as a cluster of its own.
func WriteFrame(w io.Writer, us int64, data []byte) error {
	block := []byte{0x81, 0, 0, 0x80} // track 1, relative time 0, keyframe
	stamp := element(idTimestamp, uintBody(uint64(us)))
	head := append(append([]byte{}, idCluster...), size8(uint64(len(stamp)+len(idSimpleBlock)+8+len(block)+len(data)))...)
	head = append(append(append(head, stamp...), idSimpleBlock...), size8(uint64(len(block)+len(data)))...)
	if _, err := w.Write(append(head, block...)); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}
