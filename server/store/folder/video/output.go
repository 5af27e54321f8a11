package video

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/framewire/framewire/server/store/folder/video/fmp4"
)

// readOutput reads the encoder's fragmented MP4 to its end, handing on
// each fragment as a segment. When it fails, or the output ends before
// the input, ffmpeg is killed and writes fail from then on.
func (e *encoder) readOutput(out io.ReadCloser) {
	defer close(e.read)
	r := bufio.NewReaderSize(out, 1<<20)
	err := e.readSegments(r)
	e.mu.Lock()
	if err == nil && !e.finished {
		err = errors.New("ffmpeg's output ended before its input")
	}
	e.readErr = err
	e.mu.Unlock()
	if err != nil {
		e.cancel()
	}
	_, _ = io.Copy(io.Discard, r) // ffmpeg never waits on a full pipe
}

// readSegments reads r's boxes to its end, handing on each fragment as a
// segment.
func (e *encoder) readSegments(r io.Reader) error {
	var init, moof []byte
	for {
		typ, b, err := fmp4.ReadBox(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch typ {
		case "ftyp", "moov":
			init = append(init, b...)
		case "moof":
			moof = b
		case "mdat":
			if err := e.segment(append(append(append([]byte{}, init...), moof...), b...), len(init)); err != nil {
				return err
			}
		}
	}
}

// segment hands on one fragment (with the initialisation section, init
// bytes long) as a segment of the frames it holds. The last one, once
// the input has ended, gets its last frame's own duration.
func (e *encoder) segment(mp4 []byte, init int) error {
	n, tk, err := fmp4.Samples(mp4)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if n == 0 || n > len(e.queue) {
		e.mu.Unlock()
		return fmt.Errorf("video encoder made %d frames of %d written", n, len(e.queue))
	}
	frames := e.queue[:n:n]
	e.queue = e.queue[n:]
	last, lastDur := len(e.queue) == 0 && e.finished, e.lastDur
	end := frames[n-1].at + lastDur
	if len(e.queue) > 0 {
		end = e.queue[0].at
	}
	e.mu.Unlock()
	if last {
		if mp4, err = fmp4.SetLastDuration(mp4, uint32(ticks(lastDur))); err != nil {
			return err
		}
		if _, tk, err = fmp4.Samples(mp4); err != nil {
			return err
		}
	}
	m := made{mp4: mp4, init: init, durationUs: end - frames[0].at, ticks: tk}
	for _, f := range frames {
		m.frames = append(m.frames, f.Frame)
	}
	e.emit(m)
	return nil
}
