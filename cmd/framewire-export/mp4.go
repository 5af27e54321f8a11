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

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder/video"
	"github.com/framewire/framewire/server/store/folder/video/join"
)

// exportMP4 joins the stream's video segments into one MP4 (moov first,
// so that it plays while it downloads): join.Join copies their H.264 as
// it is, or encodes it again when the picture changed size; ffmpeg then
// moves the index to the front. Written to a temporary name and renamed.
func exportMP4(ctx context.Context, o *options, stdout io.Writer) error {
	root, err := os.OpenRoot(o.dir)
	if err != nil {
		return fmt.Errorf("open the stream folder: %w", err)
	}
	defer root.Close()
	x, err := video.ReadIndex(root.FS(), record.VideoDir)
	if err != nil {
		return fmt.Errorf("read the video of %s: %w", o.dir, err)
	}
	if len(x.Segments) == 0 {
		return fmt.Errorf("no video in %s (the server writes one with --video)", o.dir)
	}
	out := o.out
	if out == "" {
		out = filepath.Join(o.dir, "video.mp4")
	}
	joined, err := tempName(out)
	if err != nil {
		return err
	}
	defer os.Remove(joined)
	if err := writeJoined(ctx, joined, root, x); err != nil {
		return err
	}
	tmp, err := tempName(out)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", joined,
		"-c", "copy", "-movflags", "+faststart", "-f", "mp4", tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the joined segments of %s as one MP4 with ffmpeg: %w: %s", o.dir, err, strings.TrimSpace(stderr.String()))
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintln(stdout, out)
	return nil
}

// tempName makes a new empty file beside out with a unique name, so
// that two exports to one file never share it, and the mode every output
// gets (os.CreateTemp's would be 0600).
func tempName(out string) (string, error) {
	dir := filepath.Dir(out)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", out, err)
	}
	defer root.Close()
	f, err := rootfile.CreateTemp(root, ".")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", out, err)
	}
	return filepath.Join(dir, filepath.Base(f.Name())), f.Close()
}

// writeJoined writes the segments of x as one fragmented MP4 to the file
// name.
func writeJoined(ctx context.Context, name string, root *os.Root, x video.Index) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("join the video segments: %w", err)
	}
	err = join.Join(ctx, f, root.FS(), record.VideoDir, x, "ffmpeg")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("join the video segments of %s: %w", root.Name(), err)
	}
	return nil
}
