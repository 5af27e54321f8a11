package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/serving"
)

// open starts a stream: it checks the name and options, then takes the
// name in the store and opens the output of the run the header asks for.
func (s *Service) open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	hdr, err := s.withDefaultZones(hdr)
	if err != nil {
		return nil, toStatus(err)
	}
	opts, err := s.checkHeader(hdr)
	if err != nil {
		return nil, toStatus(err)
	}
	if opts.zones != nil {
		hdr = proto.Clone(hdr).(*pb.StreamHeader)
		hdr.Zones = opts.zones.JSON() // the same rules, the same run, whatever the layout
	}
	run := core.NewRun(hdr, s.cfg.Model)
	run.Video = s.cfg.Video
	if hdr.Video != nil {
		run.Video = hdr.GetVideo()
	}
	if run.Video && !s.cfg.CanVideo {
		return nil, toStatus(fmt.Errorf("%w: this server cannot write video (no ffmpeg)", errBadRequest))
	}
	out, err := s.cfg.Store.Open(ctx, hdr.GetName(), run, hdr.GetExist())
	if err != nil {
		return nil, toStatus(err)
	}
	tracked := newTrackStageFor(opts, out)
	counted, err := newCountStageFor(opts, out, run, tracked, s.countOptions())
	if err != nil {
		return nil, toStatus(errors.Join(err, out.Close()))
	}
	shown := proto.Clone(hdr).(*pb.StreamHeader)
	shown.Name, shown.Source = out.Name(), record.RedactSource(hdr.GetSource())
	sess := &session{
		svc: s, out: out, write: out.WriteImage, opts: opts, tracked: tracked, counted: counted,
		live:  hdr.GetLive(),
		watch: s.cfg.Monitor.Watch(ctx, shown, s.cfg.Model.Kind),
	}
	sess.watch.Counted(counted.Counts())
	return sess, nil
}

// log is where the service says what it works around.
func (s *Service) log() *slog.Logger {
	if s.cfg.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.cfg.Log
}

// checkHeader checks what a header asks for and returns its options.
func (s *Service) checkHeader(hdr *pb.StreamHeader) (frameOptions, error) {
	if err := core.CheckStreamName(hdr.GetName()); err != nil {
		return frameOptions{}, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	if u := hdr.ProtoReflect().GetUnknown(); len(u) > 0 {
		return frameOptions{}, fmt.Errorf("%w: stream header carries %d bytes of fields this server does not know", errBadRequest, len(u))
	}
	if _, ok := pb.ExistPolicy_name[int32(hdr.GetExist())]; !ok {
		return frameOptions{}, fmt.Errorf("%w: unknown exist policy %d", errBadRequest, hdr.GetExist())
	}
	opts, err := s.frameOptions(hdr.GetOptions())
	if err != nil {
		return opts, err
	}
	if err := opts.checkZones(hdr.GetZones(), s.cfg.Processor.Classes()); err != nil {
		return opts, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return opts, nil
}

// frameOptions checks a stream's or call's options.
func (s *Service) frameOptions(o *pb.StreamOptions) (frameOptions, error) {
	opts, err := newFrameOptions(o, s.cfg.Processor.Classes(), s.confRange())
	if err != nil {
		return opts, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return opts, nil
}

// DetectFrame processes one frame outside any stream: its JPEG is kept
// apart from every stream's output and no predictions line is added. A
// bad frame is InvalidArgument.
func (s *Service) DetectFrame(ctx context.Context, req *pb.DetectFrameRequest) (*pb.FrameResult, error) {
	name := req.GetName()
	if err := core.CheckStreamName(name); err != nil {
		return nil, toStatus(fmt.Errorf("%w: %w", errBadRequest, err))
	}
	opts, err := s.frameOptions(req.GetOptions())
	if err != nil {
		return nil, toStatus(err)
	}
	if req.GetFrame().GetShared() != nil {
		return nil, toStatus(fmt.Errorf("%w: a frame in shared memory needs a StreamFrames call that has it", errBadRequest))
	}
	opts.track = false // a single frame has no track
	write := func(seq int64, jpg []byte) (string, error) { return s.cfg.Store.WriteUnaryImage(name, seq, jpg) }
	sess := &session{svc: s, write: write, opts: opts}
	r, err := sess.process(ctx, req.GetFrame())
	return r, toStatus(err)
}
