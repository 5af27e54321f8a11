package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/auth"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/stream"
)

// serviceName is the gRPC service whose health is reported by name.
const serviceName = "ImageProcedure"

// serve loads the model, serves gRPC (and HTTP) until ctx ends, then
// drains.
func serve(ctx context.Context, o *options, log *slog.Logger) error {
	mon := monitor.NewMonitor(log)
	kc, remote, err := dialKServe(ctx, o, log)
	if err != nil {
		return err
	}
	defer closeKServe(kc, log) // after the pipeline's and the inference service's engines
	pipeline, err := newPipeline(o, mon, remote)
	if err != nil {
		return err
	}
	defer pipeline.Close() // on the error paths; Close is safe to call twice
	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	srv, err := newGRPCServer(o, mon)
	if err != nil {
		lis.Close()
		return err
	}
	svc := server.NewService(pipeline, server.ServiceConfig{
		Stream:     stream.ServerConfig{MaxWindow: o.window, IdleTimeout: o.idle, HeaderTimeout: o.headerTimeout},
		MaxStreams: o.maxStreams,
	})
	healthSrv := register(srv, svc, mon)
	inference, err := registerInference(srv, healthSrv, o, remote)
	if err != nil {
		lis.Close()
		return err
	}
	defer inference.Close() // after drain: the gRPC server has stopped
	if o.http != "" {
		stop, err := serveHTTP(o, mon, log)
		if err != nil {
			lis.Close()
			return err
		}
		defer stop()
	}
	log.Info("serving", "addr", lis.Addr().String(), "model", o.model, "engine", o.engine, "out", o.out)
	if err := serveUntil(ctx, srv, lis); err != nil {
		return err
	}
	drain(srv, svc, healthSrv, o.drain, log)
	return closePipeline(pipeline, log)
}

// newPipeline loads the model once per worker.
func newPipeline(o *options, mon *monitor.Monitor, remote engine.Remote) (*server.Pipeline, error) {
	// Workers x OpenCV threads = CPUs (see framewire-bench, figure d); ONNX
	// Runtime's threads are per detector (BenchmarkWorkers in server/detect).
	if err := detect.SetThreads(detect.ThreadsPerWorker(o.workers)); err != nil {
		return nil, err
	}
	return server.NewPipeline(server.Config{
		OutDir: o.out,
		Model: detect.Config{
			Kind: o.model, ModelFile: o.modelFile, LabelsFile: o.labels,
			Conf: float32(o.conf), NMS: float32(o.nms),
			Engine: o.engine, ONNXRuntimeLib: o.ortLib, Threads: detect.ORTThreadsPerWorker(o.workers),
			Remote: remote,
		},
		Workers:        o.workers,
		MaxPixels:      o.maxPixels,
		JPEGQuality:    o.jpegQuality,
		LiveKeepFrames: o.liveKeep,
		MinConf:        float32(o.minConf),
		Monitor:        mon,
	})
}

// register adds the service, health (overall and per service) and
// reflection to srv, and shows its methods in the metrics.
func register(srv *grpc.Server, svc *server.Service, mon *monitor.Monitor) *health.Server {
	pb.RegisterImageProcedureServer(srv, svc)
	healthSrv := health.NewServer()
	healthSrv.SetServingStatus(serviceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, healthSrv)
	reflection.Register(srv)
	mon.InitGRPCMetrics(srv)
	return healthSrv
}

// serveHTTP serves the live view and metrics; stop ends it.
func serveHTTP(o *options, mon *monitor.Monitor, log *slog.Logger) (stop func(), err error) {
	hs, err := startHTTP(o.http, auth.RequireToken(o.token, mon.Handler()))
	if err != nil {
		return nil, err
	}
	log.Info("http serving", "addr", hs.addr.String(), "live_view", "/", "metrics", "/metrics")
	return func() {
		if err := hs.stop(); err != nil {
			log.Warn("stop http", "err", err)
		}
	}, nil
}

// serveUntil serves srv on lis until ctx ends; an error means serving
// failed before that.
func serveUntil(ctx context.Context, srv *grpc.Server, lis net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Serve returns once GracefulStop or Stop (in drain) has begun; the
	// goroutine's send never blocks.
	return nil
}

// drain turns health NOT_SERVING, refuses new streams, lets running ones
// finish what they took and tell their clients (UNAVAILABLE) to
// reconnect, and cuts what is left after timeout.
func drain(srv *grpc.Server, svc *server.Service, healthSrv *health.Server, timeout time.Duration, log *slog.Logger) {
	healthSrv.Shutdown()
	svc.Drain()
	log.Info("draining", "timeout", timeout)
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-stopped:
	case <-t.C:
		log.Warn("drain timeout: closing the remaining streams")
		srv.Stop()
		<-stopped
	}
}

// closePipeline frees the models and reports open Mats under matprofile.
func closePipeline(p *server.Pipeline, log *slog.Logger) error {
	if err := p.Close(); err != nil {
		return fmt.Errorf("close pipeline: %w", err)
	}
	if n, tracked := server.OpenMats(); tracked {
		log.Info("stopped", "open_mats", n)
		return nil
	}
	log.Info("stopped")
	return nil
}

// newGRPCServer applies the flags: message limits, keepalive, TLS, the
// token check and the metrics.
func newGRPCServer(o *options, mon *monitor.Monitor) (*grpc.Server, error) {
	maxMsg := o.maxMsgMB << 20
	unaryMetrics, streamMetrics := mon.Interceptors()
	unary, streaming := []grpc.UnaryServerInterceptor{unaryMetrics}, []grpc.StreamServerInterceptor{streamMetrics}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(maxMsg), grpc.MaxSendMsgSize(maxMsg),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: o.kaTime, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: o.kaMinTime, PermitWithoutStream: true}),
		grpc.StatsHandler(mon.StatsHandler()),
	}
	if o.tlsCert != "" {
		tc, err := auth.ServerTLS(o.tlsCert, o.tlsKey, o.tlsClientCA)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	if o.token != "" {
		u, s := auth.TokenInterceptors(o.token)
		unary, streaming = append(unary, u), append(streaming, s)
	}
	opts = append(opts, grpc.ChainUnaryInterceptor(unary...), grpc.ChainStreamInterceptor(streaming...))
	return grpc.NewServer(opts...), nil
}
