package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"

	"github.com/framewire/framewire/internal/cpus"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/auth"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/serving"
)

// serve builds the server from the flags and serves until ctx ends, then
// drains.
func serve(ctx context.Context, o *options, log *slog.Logger) error {
	kc, remote, err := dialKServe(ctx, o, log)
	if err != nil {
		return err
	}
	defer closeKServe(kc, log) // after the server's engines
	cfg, err := serverConfig(o, log, remote)
	if err != nil {
		return err
	}
	// Workers x OpenCV threads = CPUs (see framewire-bench, figure d); ONNX
	// Runtime's threads are per detector (BenchmarkWorkers in server/detect).
	if err := detect.SetThreads(detect.ThreadsPerWorker(o.workers)); err != nil {
		return err
	}
	if o.schedBatch {
		schedBatch(log)
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	return srv.Serve(ctx, lis)
}

// schedBatch puts the server's threads, and those it starts later, in the
// batch scheduling policy; where that is refused (a container's seccomp
// profile) the server runs on in the policy it has.
func schedBatch(log *slog.Logger) {
	n, err := cpus.Batch()
	if err != nil {
		log.Warn("the threads stay in their scheduling policy", "err", err)
		return
	}
	log.Debug("batch scheduling", "threads", n)
}

// serverConfig turns the flags into the server's configuration.
func serverConfig(o *options, log *slog.Logger, remote engine.Remote) (server.Config, error) {
	tc, err := tlsConfig(o)
	if err != nil {
		return server.Config{}, err
	}
	mqtt, hook, err := o.delivery.configs()
	if err != nil {
		return server.Config{}, err
	}
	vc, err := o.video.config()
	if err != nil {
		return server.Config{}, err
	}
	return server.Config{
		OutDir: o.out,
		Model: detect.Config{
			Kind: o.model, ModelFile: o.modelFile, LabelsFile: o.labels, InputSize: o.inputSize,
			Conf: float32(o.conf), NMS: float32(o.nms),
			Engine: o.engine, ONNXRuntimeLib: o.ortLib, Threads: detect.ORTThreadsPerWorker(o.workers),
			Remote: remote,
		},
		Workers: o.workers, MaxPixels: o.maxPixels, JPEGQuality: o.jpegQuality,
		MinConf: float32(o.minConf), LiveKeepFrames: o.liveKeep, ZonesDir: o.zonesDir, CountCheckpointEvery: o.countEvery,
		Video: o.video.on, VideoOut: vc,
		Stream:     serving.Config{MaxWindow: o.window, IdleTimeout: o.idle, HeaderTimeout: o.headerTimeout, SharedSlotBytes: sharedSlotBytes(o)},
		MaxStreams: o.maxStreams, MaxQueued: o.maxQueue, MaxMsgBytes: o.maxMsgMB << 20,
		KeepaliveTime: o.kaTime, KeepaliveMinTime: o.kaMinTime,
		TLS: tc, Token: o.token, HTTPAddr: o.http, Drain: o.drain, MQTT: mqtt, Webhook: hook, DeliveryRetryMax: o.delivery.retryMax, Log: log,
	}, nil
}

// sharedSlotBytes is the largest frame a local client may share: none
// without --shared-memory, else the largest message.
func sharedSlotBytes(o *options) int64 {
	if !o.sharedMemory {
		return 0
	}
	return int64(o.maxMsgMB) << 20
}

// tlsConfig loads --tls-cert and --tls-key (and --tls-client-ca); nil
// without them.
func tlsConfig(o *options) (*tls.Config, error) {
	if o.tlsCert == "" {
		return nil, nil
	}
	return auth.ServerTLS(o.tlsCert, o.tlsKey, o.tlsClientCA)
}
