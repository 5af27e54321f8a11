// Package mjpeg writes an HTTP response as Motion JPEG: a
// multipart/x-mixed-replace stream of JPEG parts, each flushed as sent.
package mjpeg

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"time"
)

// Writer writes JPEG parts to one HTTP response. It is used by the
// goroutine that serves the request.
type Writer struct {
	w  http.ResponseWriter
	rc *http.ResponseController
	mw *multipart.Writer
}

// New returns a Writer on w; Start sends the response's header.
func New(w http.ResponseWriter) *Writer {
	return &Writer{w: w, rc: http.NewResponseController(w), mw: multipart.NewWriter(w)}
}

// Start sends the header of the multipart response.
func (m *Writer) Start() error {
	m.w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+m.mw.Boundary())
	m.w.Header().Set("Cache-Control", "no-store")
	m.w.WriteHeader(http.StatusOK)
	return m.rc.Flush()
}

// WritePart sends jpg as the next part and flushes it, giving up on a
// reader too slow to take it within timeout.
func (m *Writer) WritePart(jpg []byte, timeout time.Duration) error {
	if err := m.rc.SetWriteDeadline(time.Now().Add(timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	part, err := m.mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":   {"image/jpeg"},
		"Content-Length": {strconv.Itoa(len(jpg))},
	})
	if err != nil {
		return err
	}
	if _, err := part.Write(jpg); err != nil {
		return err
	}
	return m.rc.Flush()
}

// Close sends the closing boundary.
func (m *Writer) Close() error { return m.mw.Close() }
