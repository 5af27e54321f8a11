// Command framewire-server serves the ImageProcedure gRPC service: the
// tutorial's ImageMeanWH and the StreamFrames call that runs a detector on
// every frame and writes annotated JPEGs and predictions.jsonl under --out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/framewire/framewire/cmd/internal/flagenv"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "framewire-server:", err)
		}
		stop()
		os.Exit(2)
	}
}

// options are the server's flags.
type options struct {
	listen        string
	out           string
	model         string
	engine        string
	ortLib        string
	modelFile     string
	labels        string
	conf          float64
	nms           float64
	workers       int
	window        int
	maxMsgMB      int
	maxPixels     int64
	jpegQuality   int
	drain         time.Duration
	logJSON       bool
	healthProbe   string
	maxStreams    int
	idle          time.Duration
	headerTimeout time.Duration
	kaTime        time.Duration
	kaMinTime     time.Duration
	tlsCert       string
	tlsKey        string
	tlsClientCA   string
	token         string
	http          string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("framewire-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: framewire-server [flags]

Serves /ImageProcedure/ImageMeanWH (the tutorial's unary call) and
/ImageProcedure/StreamFrames: every frame of every stream goes through the
model; annotated JPEGs and predictions.jsonl are written to <out>/<stream name>/.
With --http it also serves a live view of the streams at / and Prometheus
metrics at /metrics.

Every flag can also be set by the environment variable shown beside it
(FRAMEWIRE_ and the flag's name in upper case, '-' as '_'); a flag given on
the command line wins.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", ":5005", "`address` to serve gRPC on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.out, "out", "framewire-out", "output `folder`: <out>/<stream name>/<seq>.jpg and predictions.jsonl")
	fs.StringVar(&o.model, "model", detect.KindDefault, "model `kind`: "+strings.Join(detect.Kinds(), ", ")+" (mean = pixel statistics only, no network)")
	fs.StringVar(&o.modelFile, "model-file", "", "ONNX model `file` (default: the file the set-up installs for --model:\n"+
		"nanodet: "+detect.DefaultModelFile(detect.KindNanodet)+"\nblazeface: "+detect.DefaultModelFile(detect.KindBlazeFace)+")")
	fs.StringVar(&o.engine, "engine", detect.EngineDefault, "inference `engine` of the model's forward pass: "+strings.Join(detect.Engines(), ", ")+" (same detections on both)")
	fs.StringVar(&o.ortLib, "onnxruntime-lib", detect.DefaultONNXRuntimeLib, "ONNX Runtime shared library `file` for --engine onnxruntime (bash scripts/install-onnxruntime.sh installs it)")
	fs.StringVar(&o.labels, "labels", "", "class labels `file`, one per line, for nanodet (default: the built-in COCO 80 labels)")
	fs.Float64Var(&o.conf, "conf", 0, "minimum detection score 0..1 (0 = the model's default: nanodet 0.4, blazeface 0.6)")
	fs.Float64Var(&o.nms, "nms", 0, "IoU threshold of non-maximum suppression (0 = the model's default: nanodet 0.5, blazeface 0.3)")
	fs.IntVar(&o.workers, "workers", 0, "frames processed at once, each worker with its own copy of the model (0 = one per CPU)")
	fs.IntVar(&o.window, "window", stream.DefaultMaxWindow, "most frames of one stream in flight in the server; clients asking for more get this")
	fs.IntVar(&o.maxMsgMB, "max-msg-mb", 16, "largest gRPC message accepted or sent, in MiB (a 1920x1080 raw frame as the tutorial's base64 is 8.3 MB)")
	fs.Int64Var(&o.maxPixels, "max-pixels", server.DefaultMaxPixels, "largest frame in pixels (width*height), checked from the image header before decoding")
	fs.IntVar(&o.jpegQuality, "jpeg-quality", 90, "JPEG quality of the annotated images, 1..100")
	fs.DurationVar(&o.drain, "drain", 30*time.Second, "on SIGTERM or SIGINT, how long to let running streams finish before closing them")
	fs.BoolVar(&o.logJSON, "log-json", false, "log JSON lines instead of text")
	fs.IntVar(&o.maxStreams, "max-streams", 16, "most streams served at once; one more is refused with RESOURCE_EXHAUSTED (0 = no limit)")
	fs.DurationVar(&o.idle, "idle-timeout", 2*time.Minute, "end a stream that sends nothing for this long (0 = never)")
	fs.DurationVar(&o.headerTimeout, "header-timeout", 10*time.Second, "end a call that sends no stream header for this long; until its header arrives a call holds no stream slot (0 = never)")
	fs.DurationVar(&o.kaTime, "keepalive-time", 30*time.Second, "ping a client whose connection is quiet for this long, and drop it if it does not answer within 10 s")
	fs.DurationVar(&o.kaMinTime, "keepalive-min-time", 10*time.Second, "refuse (GOAWAY) clients that ping more often than this")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve TLS with this PEM certificate `file` (needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.StringVar(&o.tlsClientCA, "tls-client-ca", "", "require client certificates signed by the CAs in this PEM `file` (mutual TLS)")
	fs.StringVar(&o.token, "token", "", "require \"authorization: Bearer TOKEN\" on every gRPC call except the health service, and on every HTTP request (Bearer, or Basic with TOKEN as the password)")
	fs.StringVar(&o.http, "http", "127.0.0.1:8080", "`address` of the live view (/) and Prometheus metrics (/metrics) over HTTP (\":8080\" for every interface); empty = none")
	fs.StringVar(&o.healthProbe, "health-probe", "", "check the gRPC health of the server at `address` and exit 0 if it is SERVING, 1 if not (for container health checks)")
	if err := flagenv.Parse(fs, args, flagenv.Prefix, os.LookupEnv); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if o.maxMsgMB <= 0 {
		return nil, fmt.Errorf("--max-msg-mb must be positive")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") || o.tlsClientCA != "" && o.tlsCert == "" {
		return nil, fmt.Errorf("--tls-cert and --tls-key go together, and --tls-client-ca needs them")
	}
	if o.jpegQuality < 1 || o.jpegQuality > 100 {
		return nil, fmt.Errorf("--jpeg-quality must be 1..100, got %d", o.jpegQuality)
	}
	return o, nil
}

// run serves until ctx ends, then drains: running streams get up to
// --drain to finish before they are cut.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.healthProbe != "" {
		return probeHealth(ctx, o.healthProbe, stdout)
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if o.logJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)
	mon := server.NewMonitor(log)

	// Workers x OpenCV threads = CPUs (see framewire-bench, figure d); ONNX
	// Runtime's threads are per detector (BenchmarkWorkers in server/detect).
	if err := detect.SetThreads(detect.ThreadsPerWorker(o.workers)); err != nil {
		return err
	}
	pipeline, err := server.NewPipeline(server.Config{
		OutDir: o.out,
		Model: detect.Config{
			Kind: o.model, ModelFile: o.modelFile, LabelsFile: o.labels,
			Conf: float32(o.conf), NMS: float32(o.nms),
			Engine: o.engine, ONNXRuntimeLib: o.ortLib, Threads: detect.ORTThreadsPerWorker(o.workers),
		},
		Workers:     o.workers,
		MaxPixels:   o.maxPixels,
		JPEGQuality: o.jpegQuality,
		Monitor:     mon,
	})
	if err != nil {
		return err
	}
	defer pipeline.Close() // on the error paths; Close is safe to call twice

	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	srvOpts, err := serverOptions(o)
	if err != nil {
		lis.Close()
		return err
	}
	srv := grpc.NewServer(append(srvOpts, grpc.StatsHandler(mon.StatsHandler()))...)
	svc := server.NewService(pipeline, server.ServiceConfig{
		Stream:     stream.ServerConfig{MaxWindow: o.window, IdleTimeout: o.idle, HeaderTimeout: o.headerTimeout},
		MaxStreams: o.maxStreams,
	})
	pb.RegisterImageProcedureServer(srv, svc)
	healthSrv := health.NewServer()
	healthpb.RegisterHealthServer(srv, healthSrv)
	reflection.Register(srv)

	if o.http != "" {
		hs, err := startHTTP(o.http, server.RequireToken(o.token, mon.Handler()))
		if err != nil {
			lis.Close()
			return err
		}
		defer func() {
			if err := hs.stop(); err != nil {
				log.Warn("stop http", "err", err)
			}
		}()
		log.Info("http serving", "addr", hs.addr.String(), "live_view", "/", "metrics", "/metrics")
	}
	log.Info("serving", "addr", lis.Addr().String(), "model", o.model, "engine", o.engine, "out", o.out)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// NOT_SERVING, refuse new streams, let running ones finish what they
	// received and tell their clients (UNAVAILABLE) to reconnect.
	healthSrv.Shutdown()
	svc.Drain()
	log.Info("draining", "timeout", o.drain)
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(o.drain):
		log.Warn("drain timeout: closing the remaining streams")
		srv.Stop()
		<-stopped
	}
	<-served
	if err := pipeline.Close(); err != nil {
		return fmt.Errorf("close pipeline: %w", err)
	}
	if n, tracked := server.OpenMats(); tracked {
		log.Info("stopped", "open_mats", n)
		return nil
	}
	log.Info("stopped")
	return nil
}

// serverOptions turns the flags into message limits, keepalive, TLS and
// token checks.
func serverOptions(o *options) ([]grpc.ServerOption, error) {
	maxMsg := o.maxMsgMB << 20
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(maxMsg), grpc.MaxSendMsgSize(maxMsg),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: o.kaTime, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: o.kaMinTime, PermitWithoutStream: true}),
	}
	if o.tlsCert != "" {
		tc, err := server.ServerTLS(o.tlsCert, o.tlsKey, o.tlsClientCA)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	if o.token != "" {
		unary, streaming := server.TokenInterceptors(o.token)
		opts = append(opts, grpc.UnaryInterceptor(unary), grpc.StreamInterceptor(streaming))
	}
	return opts, nil
}
