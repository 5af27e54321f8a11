package video

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ffmpegArgs encode the frames an ffconcat list on stdin names into a
// fragmented MP4 on stdout: H.264 (x264, ultrafast, no B-frames) in
// 4:2:0 at even sizes, so that browsers play it; each frame's time as
// listed (image timestamps in microseconds, passed through).
var ffmpegArgs = []string{
	"-hide_banner", "-loglevel", "error",
	"-protocol_whitelist", "file,pipe", "-f", "concat", "-safe", "0", "-i", "pipe:0",
	"-an", "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2",
	"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
	"-fps_mode", "passthrough", "-video_track_timescale", fmt.Sprint(Timescale),
	"-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1",
}

// encoded is one segment's MP4 and the length of its initialisation
// section.
type encoded struct {
	mp4  []byte
	init int
}

// encode makes the MP4 of frames, whose JPEGs are in the folder dir (an
// absolute path), each shown for its duration in durs (microseconds),
// its timeline starting at base (Timescale ticks).
func encode(ctx context.Context, ffmpeg, dir string, frames []Frame, durs []int64, base uint64) (encoded, error) {
	cmd := exec.CommandContext(ctx, ffmpeg, ffmpegArgs...)
	cmd.Stdin = strings.NewReader(concatList(dir, frames, durs))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return encoded{}, fmt.Errorf("encode frames %d-%d with %s: %w: %s", frames[0].Seq, frames[len(frames)-1].Seq,
			ffmpeg, err, strings.TrimSpace(stderr.String()))
	}
	b := out.Bytes()
	err := setLastDuration(b, uint32(ticks(durs[len(durs)-1])))
	if err == nil {
		err = shiftTimes(b, base)
	}
	if err != nil {
		return encoded{}, fmt.Errorf("segment of frames %d-%d: %w", frames[0].Seq, frames[len(frames)-1].Seq, err)
	}
	n, err := initSize(b)
	if err != nil {
		return encoded{}, fmt.Errorf("segment of frames %d-%d: %w", frames[0].Seq, frames[len(frames)-1].Seq, err)
	}
	return encoded{mp4: b, init: n}, nil
}

// concatList is ffmpeg's ffconcat list of frames: each JPEG with its
// duration, its timestamps in microseconds.
func concatList(dir string, frames []Frame, durs []int64) string {
	var b strings.Builder
	b.WriteString("ffconcat version 1.0\n")
	for i, f := range frames {
		p := strings.ReplaceAll(filepath.Join(dir, f.Image), "'", `'\''`)
		fmt.Fprintf(&b, "file 'file:%s'\noption framerate 1000000\nduration %d.%06d\n", p, durs[i]/1_000_000, durs[i]%1_000_000)
	}
	return b.String()
}

// ticks is a time in microseconds in Timescale ticks, rounded.
func ticks(us int64) int64 { return (us*Timescale + 500_000) / 1_000_000 }
