package service

import (
	"errors"
	"fmt"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/service/eventstage"
)

// withDefaultZones is hdr, or, when it has no counting rules and the
// server's ZonesDir has a file for its name, a copy counted by that
// file's rules with tracking on (the log says so). A file that is not a
// zones file refuses the stream.
func (s *Service) withDefaultZones(hdr *pb.StreamHeader) (*pb.StreamHeader, error) {
	if hdr.GetZones() != "" || s.cfg.ZonesDir == "" || core.CheckStreamName(hdr.GetName()) != nil {
		return hdr, nil // a bad name is checkHeader's to refuse
	}
	out, file, err := eventstage.DefaultZones(s.cfg.ZonesDir, hdr)
	switch {
	case errors.Is(err, eventstage.ErrBadZones):
		return nil, fmt.Errorf("%w: %w", errBadRequest, err)
	case err != nil:
		return nil, err
	case file != "" && !hdr.GetOptions().GetTrack():
		s.log().Info("counting by the server's zones file turns tracking on", "stream", hdr.GetName(), "file", file)
	}
	return out, nil
}
