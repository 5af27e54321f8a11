package join

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"strings"

	"github.com/framewire/framewire/server/store/folder/video"
	"github.com/framewire/framewire/server/store/folder/video/fmp4"
	"github.com/framewire/framewire/server/store/folder/video/mkv"
)

// A video whose picture changed size mid-stream has segments with
// different initialisation sections, which one MP4 track cannot hold: it
// is encoded again, every frame at the largest size (smaller ones scaled
// up, their shape kept), from its segments' H.264 handed to ffmpeg as one
// Matroska stream with the parameter sets in band, each frame with its
// time.

// reencode writes the segments of x, in dir of fsys, as one fragmented
// MP4 encoded again by ffmpeg at the largest of their sizes.
func reencode(ctx context.Context, w io.Writer, fsys fs.FS, dir string, x video.Index, ffmpeg string) error {
	var sizes [][2]int
	width, height := 0, 0
	for _, s := range x.Segments {
		init, err := video.ReadInit(fsys, dir, s)
		if err != nil {
			return fmt.Errorf("join segments: %w", err)
		}
		wd, ht, err := pictureSize(init)
		if err != nil {
			return fmt.Errorf("join segment %s: %w", s.File, err)
		}
		sizes, width, height = append(sizes, [2]int{wd, ht}), max(width, wd), max(height, ht)
	}
	pr, pw := io.Pipe()
	lastDur := make(chan int64, 1)
	go func() {
		var last int64
		err := writeH264MKV(pw, fsys, dir, x, width, height, &last)
		lastDur <- last
		pw.CloseWithError(err)
	}()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, rejoinArgs(width, height)...)
	cmd.Stdin, cmd.Stderr = pr, &stderr
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	var held []byte
	if err == nil {
		held, err = copyFragments(w, stdout)
		_, _ = io.Copy(io.Discard, stdout)
		err = errors.Join(err, cmd.Wait())
	}
	pr.Close() // the writer stops if ffmpeg did
	last := <-lastDur
	if err != nil {
		return fmt.Errorf("encode the segments again (sizes %v) with %s: %w: %s", sizes, ffmpeg, err, strings.TrimSpace(stderr.String()))
	}
	// ffmpeg guesses the last frame's duration: it gets its own.
	if held, err = fmp4.SetLastDuration(held, uint32(last)); err != nil {
		return fmt.Errorf("encode the segments again: %w", err)
	}
	_, err = w.Write(held)
	return err
}

// copyFragments copies ffmpeg's fragmented MP4 from r to w but for its
// last fragment, which it returns; what follows that (an index of the
// fragments) is left out.
func copyFragments(w io.Writer, r io.Reader) ([]byte, error) {
	var held []byte
	for {
		typ, b, err := fmp4.ReadBox(r)
		if errors.Is(err, io.EOF) {
			return held, nil
		}
		if err != nil {
			return nil, err
		}
		switch typ {
		case "moof":
			if _, err := w.Write(held); err != nil {
				return nil, err
			}
			held = b
		case "mdat":
			held = append(held, b...)
		case "ftyp", "moov":
			if _, err := w.Write(b); err != nil {
				return nil, err
			}
		}
	}
}

// rejoinArgs encode a Matroska H.264 stream on stdin at w x h into a
// fragmented MP4 on stdout, each frame's time kept.
func rejoinArgs(w, h int) []string {
	fit := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1", w, h, w, h)
	return []string{
		"-hide_banner", "-loglevel", "error", "-f", "matroska", "-i", "pipe:0", "-an", "-vf", fit,
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-fps_mode", "passthrough", "-enc_time_base", "-1", "-video_track_timescale", fmt.Sprint(video.Timescale),
		"-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1",
	}
}

// writeH264MKV writes the segments' samples as one Matroska H.264
// stream: each segment's parameter sets in band before its first frame.
func writeH264MKV(w io.Writer, fsys fs.FS, dir string, x video.Index, width, height int, lastDur *int64) error {
	for i, s := range x.Segments {
		b, err := fs.ReadFile(fsys, path.Join(dir, s.File))
		if err != nil {
			return err
		}
		avcc, ok := fmp4.AVCC(b)
		if !ok {
			return fmt.Errorf("segment %s has no avcC", s.File)
		}
		if i == 0 {
			if _, err := w.Write(mkv.Header(mkv.H264, width, height, avcc)); err != nil {
				return err
			}
		}
		params, err := parameterSets(avcc)
		if err != nil {
			return fmt.Errorf("segment %s: %w", s.File, err)
		}
		if err := writeSamples(w, b, params, lastDur); err != nil {
			return fmt.Errorf("segment %s: %w", s.File, err)
		}
	}
	return nil
}

// pictureSize is the width and height of a segment's H.264 sample entry.
func pictureSize(b []byte) (int, int, error) {
	avc1, ok := fmp4.AVC1(b)
	if !ok || len(avc1) < 28 {
		return 0, 0, errors.New("no H.264 sample entry")
	}
	return int(binary.BigEndian.Uint16(avc1[24:])), int(binary.BigEndian.Uint16(avc1[26:])), nil
}

// parameterSets are an avcC's SPS and PPS as 4-byte length-prefixed NAL
// units, as the samples hold theirs.
func parameterSets(avcc []byte) ([]byte, error) {
	if len(avcc) < 7 || avcc[4]&3 != 3 {
		return nil, errors.New("avcC without 4-byte NAL lengths")
	}
	var out []byte
	off, count := 6, int(avcc[5]&0x1f)
	for set := 0; set < 2; set++ {
		for range count {
			if off+2 > len(avcc) {
				return nil, errors.New("short avcC")
			}
			n := int(binary.BigEndian.Uint16(avcc[off:]))
			if off+2+n > len(avcc) {
				return nil, errors.New("short avcC")
			}
			out = binary.BigEndian.AppendUint32(out, uint32(n))
			out, off = append(out, avcc[off+2:off+2+n]...), off+2+n
		}
		if set == 0 {
			if off >= len(avcc) {
				return nil, errors.New("short avcC")
			}
			count, off = int(avcc[off]), off+1
		}
	}
	return out, nil
}

// writeSamples writes the samples of a segment's fragments as Matroska
// frames at their times, params before the first; lastDur is set to the
// last one's duration (ticks).
func writeSamples(w io.Writer, b []byte, params []byte, lastDur *int64) error {
	return fmp4.EachSample(b, func(t, dur int64, data []byte) error {
		*lastDur = dur
		if params != nil {
			data, params = append(append([]byte{}, params...), data...), nil
		}
		return mkv.WriteFrame(w, t*1_000_000/video.Timescale, data)
	})
}
