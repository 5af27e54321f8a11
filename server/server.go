package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/framewire/framewire/internal/redact"
	"github.com/framewire/framewire/proto/framecodec"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/auth"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/kserve"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/pixels"
	"github.com/framewire/framewire/server/service"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/service/meanwh"
	"github.com/framewire/framewire/server/store"
	"github.com/framewire/framewire/server/videoview"
)

// ServiceName is the gRPC service whose health is reported by name.
const ServiceName = "ImageProcedure"

// Server is a framewire server, built by New and run by Serve.
type Server struct {
	cfg       Config
	mon       *monitor.Monitor
	proc      *pixels.Processor
	store     store.Store
	svc       *service.Service
	grpc      *grpc.Server
	health    *health.Server
	inference *kserve.Service
	delivery  *delivery.Deliverer // nil without sinks
	// occupancy publishes the zones' occupancy; nil without an MQTT
	// broker or an occupancy topic.
	occupancy *mqttsink.Occupancy
	// stopDelivery ends the delivery Serve started.
	stopDelivery func()
}

// New loads the model (once per worker), opens the output store and
// builds the gRPC server. Its errors are start-up errors; an output
// naming no store it knows fails before the model is loaded.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, mon: monitor.New(cfg.Log)}
	if err := s.newDelivery(); err != nil {
		return nil, err
	}
	svc, proc, store, err := newService(cfg, s.mon, s.eventHooks())
	if err != nil {
		s.closeDelivery()
		return nil, err
	}
	s.svc, s.proc, s.store = svc, proc, store
	s.grpc = grpc.NewServer(grpcOptions(cfg, s.mon)...)
	if err := s.register(); err != nil {
		proc.Close()
		store.Close()
		s.closeDelivery()
		return nil, err
	}
	return s, nil
}

// newService builds the processor, the store and the service on them.
func newService(cfg Config, mon *monitor.Monitor, hooks eventstage.Hooks) (*service.Service, *pixels.Processor, store.Store, error) {
	loc, err := store.Find(cfg.OutDir, StoreSchemes())
	if err != nil {
		return nil, nil, nil, err
	}
	model, err := describeModel(cfg.Model)
	if err != nil {
		return nil, nil, nil, err
	}
	def := cfg.Model.Conf
	if def == 0 {
		def = detect.DefaultConf(cfg.Model.Kind)
	}
	detCfg := cfg.Model
	detCfg.Conf = service.ConfFloor(def, cfg.MinConf) // the detector keeps what any stream may ask for
	proc, err := pixels.New(pixels.Config{Model: detCfg, Workers: cfg.Workers, MaxPixels: cfg.MaxPixels})
	if err != nil {
		return nil, nil, nil, err
	}
	model.Classes = proc.Classes()
	// The store is opened only once the model loaded: a model that cannot
	// load leaves no output folder behind.
	out, err := loc.Open(store.Options{LiveKeepFrames: cfg.LiveKeepFrames, Log: cfg.Log})
	if err != nil {
		proc.Close()
		return nil, nil, nil, err
	}
	canVideo, err := enableVideo(cfg, out)
	if err != nil {
		proc.Close()
		out.Close()
		return nil, nil, nil, err
	}
	return service.New(service.Config{
		Processor: proc, Store: out, Model: model, DefaultConf: def, MinConf: detCfg.Conf,
		JPEGQuality: cfg.JPEGQuality, Monitor: mon, Stream: cfg.Stream, MaxStreams: cfg.MaxStreams,
		MaxQueued: cfg.MaxQueued, MaxMessageBytes: cfg.MaxMsgBytes, Log: cfg.Log,
		ZonesDir: cfg.ZonesDir, Video: cfg.Video, CanVideo: canVideo, Events: hooks,
		CountCheckpointEvery: cfg.CountCheckpointEvery,
	}), proc, out, nil
}

// describeModel names the model and its file with the file's SHA-256, so
// that a run can tell whether it continues with the same model.
func describeModel(cfg detect.Config) (record.Model, error) {
	m := record.Model{Kind: cfg.Kind, File: cfg.ModelFile, Engine: cfg.Engine}
	if m.Kind != detect.KindMean && m.Engine == "" {
		m.Engine = detect.EngineDefault
	}
	if m.File == "" {
		m.File = detect.DefaultModelFile(cfg.Kind)
	}
	if m.File == "" {
		return m, nil
	}
	f, err := os.Open(m.File)
	if err != nil {
		return m, fmt.Errorf("read model file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return m, fmt.Errorf("read model file %s: %w", m.File, err)
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	return m, nil
}

// grpcOptions are the message limits, keepalive, TLS, token check and
// metrics of cfg.
func grpcOptions(cfg Config, mon *monitor.Monitor) []grpc.ServerOption {
	unaryMetrics, streamMetrics := mon.Interceptors()
	unary, streaming := []grpc.UnaryServerInterceptor{unaryMetrics}, []grpc.StreamServerInterceptor{streamMetrics}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(cfg.MaxMsgBytes), grpc.MaxSendMsgSize(cfg.MaxMsgBytes),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: cfg.KeepaliveTime, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: cfg.KeepaliveMinTime, PermitWithoutStream: true}),
		grpc.StatsHandler(mon.StatsHandler()),
		// ImageMeanWH reads its request in place (service.ServiceDesc), a
		// large frame's data stays in the buffer it is read into.
		grpc.ForceServerCodecV2(meanwh.NewCodecOver(framecodec.New())),
	}
	if cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg.TLS)))
	}
	if cfg.Token != "" {
		u, s := auth.TokenInterceptors(cfg.Token)
		unary, streaming = append(unary, u), append(streaming, s)
	}
	return append(opts, grpc.ChainUnaryInterceptor(unary...), grpc.ChainStreamInterceptor(streaming...))
}

// register adds the services, health (overall and per service) and
// reflection, and shows every method in the metrics.
func (s *Server) register() error {
	s.grpc.RegisterService(service.ServiceDesc(), s.svc)
	s.health = health.NewServer()
	s.health.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	inference, err := registerInference(s.grpc, s.health, s.cfg)
	if err != nil {
		return err
	}
	s.inference = inference
	reflection.Register(s.grpc)
	s.mon.InitGRPCMetrics(s.grpc)
	return nil
}

// HTTPHandler serves the live view and metrics, behind the token.
func (s *Server) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", s.mon.Handler())
	if files, ok := s.store.(interface{ FS() fs.FS }); ok {
		videoview.New(files.FS(), s.cfg.VideoOut.FFmpeg).Register(mux)
	}
	return auth.RequireToken(s.cfg.Token, mux)
}

// Service is the ImageProcedure service, for callers in the same process.
func (s *Server) Service() *service.Service { return s.svc }

// Serve serves gRPC on lis (and HTTP on cfg.HTTPAddr) until ctx ends, then
// drains: health turns NOT_SERVING, new streams are refused, running ones
// finish what they took and end with UNAVAILABLE, and what is left after
// cfg.Drain is cut. It frees the server's resources before it returns.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	s.stopDelivery = s.startDelivery()
	defer s.close()
	if s.cfg.HTTPAddr != "" {
		stop, err := s.serveHTTP()
		if err != nil {
			lis.Close()
			return err
		}
		defer stop()
	}
	s.cfg.Log.Info("serving", "addr", lis.Addr().String(), "model", s.cfg.Model.Kind, "engine", s.engineName(), "workers", s.proc.Workers(), "out", redact.Source(s.cfg.OutDir))
	served := make(chan error, 1)
	go func() { served <- s.grpc.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.drain()
	<-served
	return nil
}

func (s *Server) engineName() string {
	if s.cfg.Model.Engine == "" {
		return detect.EngineDefault
	}
	return s.cfg.Model.Engine
}

// drain stops the server as Serve says.
func (s *Server) drain() {
	s.health.Shutdown()
	s.svc.Drain()
	s.cfg.Log.Info("draining", "timeout", s.cfg.Drain)
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	t := time.NewTimer(s.cfg.Drain)
	defer t.Stop()
	select {
	case <-stopped:
	case <-t.C:
		s.cfg.Log.Warn("drain timeout: closing the remaining streams")
		s.grpc.Stop()
		<-stopped
	}
}

// serveHTTP serves the live view and metrics; stop ends it.
func (s *Server) serveHTTP() (stop func(), err error) {
	hs, err := startHTTP(s.cfg.HTTPAddr, s.HTTPHandler())
	if err != nil {
		return nil, err
	}
	s.cfg.Log.Info("http serving", "addr", hs.addr.String(), "live_view", "/", "metrics", "/metrics")
	return func() {
		if err := hs.stop(); err != nil {
			s.cfg.Log.Warn("stop http", "err", err)
		}
	}, nil
}

// close frees the models once nothing is served, and reports open Mats
// under matprofile.
func (s *Server) close() {
	s.grpc.Stop()
	err := errors.Join(s.inference.Close(), s.proc.Close(), s.store.Close(), s.closeDelivery())
	if err != nil {
		s.cfg.Log.Warn("close", "err", err)
	}
	if n, tracked := pixels.OpenMats(); tracked {
		s.cfg.Log.Info("stopped", "open_mats", n)
		return
	}
	s.cfg.Log.Info("stopped")
}

// closeDelivery stops the event delivery (what is not delivered yet
// stays in the outbox, for the next start) and frees its sinks.
func (s *Server) closeDelivery() error {
	if s.stopDelivery != nil {
		s.stopDelivery()
	}
	var errs []error
	if s.delivery != nil {
		errs = append(errs, s.delivery.Close())
	}
	if s.occupancy != nil {
		errs = append(errs, s.occupancy.Close())
	}
	return errors.Join(errs...)
}

// Close frees a Server that was never served.
func (s *Server) Close() { s.close() }
