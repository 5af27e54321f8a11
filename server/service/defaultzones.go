package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/framewire/framewire/internal/zonefile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// withDefaultZones is hdr, or, when it has no counting rules and the
// server's ZonesDir has a file for its name (<name>.yaml, .yml or
// .json), a copy counted by that file's rules, with tracking on (the log
// says so). A file that is not a zones file refuses the stream.
func (s *Service) withDefaultZones(hdr *pb.StreamHeader) (*pb.StreamHeader, error) {
	if hdr.GetZones() != "" || s.cfg.ZonesDir == "" || core.CheckStreamName(hdr.GetName()) != nil {
		return hdr, nil // a bad name is checkHeader's to refuse
	}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		file := filepath.Join(s.cfg.ZonesDir, hdr.GetName()+ext)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the stream's default zones: %w", err)
		}
		c, err := zonefile.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w: the server's zones file %s: %w", errBadRequest, file, err)
		}
		hdr = proto.Clone(hdr).(*pb.StreamHeader)
		hdr.Zones = c.JSON()
		if hdr.Options == nil {
			hdr.Options = &pb.StreamOptions{}
		}
		if !hdr.Options.Track {
			hdr.Options.Track = true
			s.log().Info("counting by the server's zones file turns tracking on", "stream", hdr.GetName(), "file", file)
		}
		return hdr, nil
	}
	return hdr, nil
}
