package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/framewire/framewire/proto/record"
)

// exportMP4 joins the stream's video segments, as its playlist lists
// them, into one MP4 (moov first, so that it plays while it downloads),
// copying the H.264 as it is; written to a temporary name and renamed.
func exportMP4(ctx context.Context, o *options, stdout io.Writer) error {
	playlist := filepath.Join(o.dir, record.VideoDir, record.VideoPlaylist)
	if _, err := os.Stat(playlist); err != nil {
		return fmt.Errorf("no video in %s (the server writes one with --video): %w", o.dir, err)
	}
	out := o.out
	if out == "" {
		out = filepath.Join(o.dir, "video.mp4")
	}
	tmp := filepath.Join(filepath.Dir(out), ".tmp-"+filepath.Base(out))
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", playlist,
		"-c", "copy", "-movflags", "+faststart", "-f", "mp4", tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("join the segments of %s with ffmpeg: %w: %s", playlist, err, strings.TrimSpace(stderr.String()))
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintln(stdout, out)
	return nil
}
