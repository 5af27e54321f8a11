package server

import (
	"fmt"
	"os/exec"

	"github.com/framewire/framewire/server/store"
	"github.com/framewire/framewire/server/store/folder"
	"github.com/framewire/framewire/server/store/folder/video"
)

// enableVideo lets the store write videos when ffmpeg is there; without
// it, asking for video by default is an error and a stream that asks
// for one is refused.
func enableVideo(cfg Config, st store.Store) (bool, error) {
	v := cfg.VideoOut
	folderStore, ok := st.(*folder.Store)
	if !ok {
		if cfg.Video {
			return false, fmt.Errorf("--video: the store %T cannot write video (only the folder store can)", st)
		}
		return false, nil
	}
	ffmpeg, err := exec.LookPath(v.FFmpeg)
	if err != nil {
		if cfg.Video {
			return false, fmt.Errorf("--video needs ffmpeg (apt-get install ffmpeg): %w", err)
		}
		return false, nil
	}
	folderStore.EnableVideo(folder.VideoConfig{
		Config:       video.Config{FFmpeg: ffmpeg, Segment: v.Segment, KeepDuration: v.KeepDuration, KeepBytes: v.KeepBytes},
		LiveJPEGKeep: v.LiveJPEGKeep,
	})
	return true, nil
}
