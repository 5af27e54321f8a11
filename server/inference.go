package server

import (
	"context"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/framewire/framewire/internal/cpus"
	inferencepb "github.com/framewire/framewire/proto/inference"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/kserve"
)

// registerInference serves the Open Inference Protocol for the loaded model
// under its kind's name, ready while healthSrv says SERVING (not while
// draining). The caller closes it after the gRPC server stopped.
func registerInference(srv *grpc.Server, healthSrv *health.Server, cfg Config) (*kserve.Service, error) {
	m := cfg.Model
	sc := kserve.ServiceConfig{
		Name: m.Kind, Engines: cfg.Workers, ServerVersion: buildVersion(),
		Engine: engine.Options{Engine: m.Engine, ONNXRuntimeLib: m.ONNXRuntimeLib, Threads: m.Threads, Remote: m.Remote},
		Ready: func(ctx context.Context) bool {
			r, err := healthSrv.Check(ctx, &healthpb.HealthCheckRequest{})
			return err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING
		},
	}
	if m.Kind != detect.KindMean {
		n, err := detect.LoadNetwork(detect.Config{Kind: m.Kind, ModelFile: m.ModelFile})
		if err != nil {
			return nil, err
		}
		sc.Network = n
	}
	if sc.Engines <= 0 {
		sc.Engines = cpus.Usable() // as --workers 0
	}
	svc, err := kserve.NewService(sc)
	if err != nil {
		return nil, err
	}
	inferencepb.RegisterGRPCInferenceServiceServer(srv, svc)
	healthSrv.SetServingStatus(kserve.ServiceName, healthpb.HealthCheckResponse_SERVING)
	return svc, nil
}

// buildVersion is the module version the server was built as.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}
