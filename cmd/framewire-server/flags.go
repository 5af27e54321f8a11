package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/internal/flagenv"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/pixels"
	"github.com/framewire/framewire/server/serving"
)

// options are the server's flags.
type options struct {
	listen        string
	out           string
	model         string
	engine        string
	ortLib        string
	modelFile     string
	labels        string
	inputSize     int
	conf          float64
	minConf       float64
	nms           float64
	workers       int
	schedBatch    bool
	window        int
	maxMsgMB      int
	sharedMemory  bool
	maxPixels     int64
	jpegQuality   int
	drain         time.Duration
	logJSON       bool
	logLevel      string
	healthProbe   string
	probeTLS      bool
	probeCA       string
	probeName     string
	maxStreams    int
	maxQueue      int
	idle          time.Duration
	headerTimeout time.Duration
	kaTime        time.Duration
	kaMinTime     time.Duration
	tlsCert       string
	tlsKey        string
	tlsClientCA   string
	token         string
	http          string
	liveKeep      int
	zonesDir      string
	countEvery    int64
	version       bool
	cpuProfile    string
	kserve        kserveOptions
	delivery      deliveryOptions
	video         videoOptions
}

// flagEnv maps the server's flags to its environment variables.
func flagEnv() flagenv.Env {
	return flagenv.Env{Prefix: flagenv.Prefix + "SERVER_", Shared: []string{"token"}}
}

const usageText = `Usage: framewire-server [flags]

Serves /ImageProcedure/ImageMeanWH (the tutorial's unary call) and
/ImageProcedure/StreamFrames: every frame of every stream goes through the
model; annotated JPEGs and predictions.jsonl are written to <out>/<stream name>/.
With --http it also serves a live view of the streams at / and Prometheus
metrics at /metrics.

Every flag can also be set by the environment variable shown beside it
(FRAMEWIRE_SERVER_ and the flag's name in upper case, '-' as '_'; the token
is FRAMEWIRE_TOKEN, shared with framewire-capture); a flag given on the
command line wins.

Exit status: 0 after a clean stop (and for --help and --version), 1 when
serving failed or --health-probe found the server not serving, 2 for a
mistake in the flags or variables.

Flags:
`

// parseFlags reads the command line and environment; its errors are usage
// errors (exit status 2), --help is flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := cli.NewFlagSet("framewire-server", usageText, stderr)
	modelFlags(fs, o)
	limitFlags(fs, o)
	serviceFlags(fs, o)
	kserveFlags(fs, &o.kserve)
	deliveryFlags(fs, &o.delivery)
	videoFlags(fs, &o.video)
	if err := flagenv.Parse(fs, args, flagEnv(), os.LookupEnv); err != nil {
		return nil, cli.Usage(err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("unexpected arguments %q (see --help)", fs.Args())
	}
	return o, cli.Usage(o.check())
}

// check refuses flag values that cannot work together.
func (o *options) check() error {
	switch {
	case o.maxMsgMB <= 0:
		return fmt.Errorf("--max-msg-mb must be positive")
	case (o.tlsCert == "") != (o.tlsKey == "") || o.tlsClientCA != "" && o.tlsCert == "":
		return fmt.Errorf("--tls-cert and --tls-key go together, and --tls-client-ca needs them")
	case o.jpegQuality < 1 || o.jpegQuality > 100:
		return fmt.Errorf("--jpeg-quality must be 1..100, got %d", o.jpegQuality)
	case o.minConf < 0 || o.minConf > 1 || o.conf < 0 || o.conf > 1:
		return fmt.Errorf("--conf and --min-conf must be 0..1")
	case o.liveKeep < 0:
		return fmt.Errorf("--live-keep-frames must not be negative")
	case o.countEvery < 0:
		return fmt.Errorf("--count-checkpoint-every must not be negative")
	}
	if err := o.kserve.check(o.engine); err != nil {
		return err
	}
	if err := o.delivery.check(); err != nil {
		return err
	}
	_, err := parseLogLevel(o.logLevel)
	return err
}

func modelFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.model, "model", detect.KindDefault, "model `kind`: "+strings.Join(detect.Kinds(), ", ")+" (mean = pixel statistics only, no network)")
	fs.StringVar(&o.modelFile, "model-file", "", "ONNX model `file` (default: the file the set-up installs for --model"+perFamily(func(f detect.Family) string { return f.DefaultFile })+")")
	fs.StringVar(&o.engine, "engine", detect.EngineDefault, "inference `engine` of the model's forward pass: "+strings.Join(detect.Engines(), ", ")+" (same detections on both), or "+detect.EngineKServe+" (inference servers over the Open Inference Protocol: --kserve)")
	fs.StringVar(&o.ortLib, "onnxruntime-lib", detect.DefaultONNXRuntimeLib, "ONNX Runtime shared library `file` for --engine onnxruntime (bash scripts/install-onnxruntime.sh installs it)")
	fs.StringVar(&o.labels, "labels", "", "class labels `file`, one per line, used instead of the model's own (default"+perFamily(func(f detect.Family) string { return f.Labels })+")")
	fs.IntVar(&o.inputSize, "input-size", 0, "input side in pixels for a model file that leaves it open; a file that fixes another is refused (0 = the model's default"+
		perFamily(func(f detect.Family) string { return positive(f.Input.DynamicSize) })+")")
	fs.Float64Var(&o.conf, "conf", 0, "minimum detection score 0..1 (0 = the model's default"+perFamily(func(f detect.Family) string { return positive(f.Conf) })+")")
	fs.Float64Var(&o.nms, "nms", 0, "IoU threshold of non-maximum suppression (0 = the model's default"+perFamily(func(f detect.Family) string { return positive(f.NMS) })+")")
	fs.IntVar(&o.workers, "workers", 0, "frames processed at once, each worker with its own copy of the model (0 = one per CPU this process may use: a container's CPU limit counts)")
	fs.BoolVar(&o.schedBatch, "sched-batch", true, "run the server's threads in Linux's batch scheduling policy (SCHED_BATCH): a thread waking up does not preempt the one running, so the workers' forward passes are cut into pieces less often (docs/performance.md: a quarter of the context switches, less CPU a frame); false keeps the policy it was started with")
	fs.IntVar(&o.jpegQuality, "jpeg-quality", 90, "JPEG quality of the annotated images, 1..100")
	fs.Float64Var(&o.minConf, "min-conf", 0.05, "lowest --conf a stream may ask for: the model keeps detections down to this score, and each stream filters at its own --conf (or the model's default)")
}

// perFamily lists, one line per model family that runs a network, the
// family's kind and what value says of it ("" = none: "none").
func perFamily(value func(detect.Family) string) string {
	var b strings.Builder
	for _, f := range detect.Families() {
		if f.HasNetwork() {
			fmt.Fprintf(&b, "\n%s: %s", f.Kind, cmp.Or(value(f), "none"))
		}
	}
	return b.String()
}

// positive is v as text, "" when it is not positive.
func positive[T int | float32](v T) string {
	if v <= 0 {
		return ""
	}
	return fmt.Sprint(v)
}

func limitFlags(fs *flag.FlagSet, o *options) {
	fs.IntVar(&o.window, "window", serving.DefaultMaxWindow, "most frames of one stream in flight in the server; clients asking for more get this")
	fs.IntVar(&o.maxMsgMB, "max-msg-mb", 16, "largest gRPC message accepted or sent, in MiB (a 1920x1080 raw frame as the tutorial's base64 is 8.3 MB)")
	fs.BoolVar(&o.sharedMemory, "shared-memory", true, "let a client on this machine that asks for it write its frames into memory shared with the server (a sealed memory file per stream, opened by the client through /proc; up to --max-msg-mb a frame), instead of sending them through the socket")
	fs.Int64Var(&o.maxPixels, "max-pixels", pixels.DefaultMaxPixels, "largest frame in pixels (width*height), checked from the image header before decoding")
	fs.IntVar(&o.maxStreams, "max-streams", 16, "most streams served at once; more wait for a slot, first come first served, in a queue of --max-queue (0 = no limit)")
	fs.IntVar(&o.maxQueue, "max-queue", 64, "most streams waiting for a slot when --max-streams run; one more is refused with RESOURCE_EXHAUSTED and told to try again in 2 s (0 = refuse at once)")
	fs.DurationVar(&o.idle, "idle-timeout", 2*time.Minute, "end a stream that sends nothing for this long (0 = never)")
	fs.DurationVar(&o.headerTimeout, "header-timeout", 10*time.Second, "end a call that sends no stream header for this long; until its header arrives a call holds no stream slot (0 = never)")
	fs.DurationVar(&o.kaTime, "keepalive-time", 30*time.Second, "ping a client whose connection is quiet for this long, and drop it if it does not answer within 10 s")
	fs.DurationVar(&o.kaMinTime, "keepalive-min-time", 10*time.Second, "refuse (GOAWAY) clients that ping more often than this")
	fs.DurationVar(&o.drain, "drain", 30*time.Second, "on SIGTERM or SIGINT, how long to let running streams finish before closing them")
	fs.IntVar(&o.liveKeep, "live-keep-frames", 9000, "a live stream keeps the JPEGs of its last N frames on disk (about 5 minutes at 30 fps) and removes older ones; its predictions.jsonl keeps every line (0 = keep every JPEG)")
}

// storeURLs names the URL schemes of the stores --out may name.
func storeURLs() string {
	var names []string
	for _, s := range server.StoreSchemes() {
		names = append(names, s.Name+"://")
	}
	return strings.Join(names, ", ")
}

func serviceFlags(fs *flag.FlagSet, o *options) {
	fs.Int64Var(&o.countEvery, "count-checkpoint-every", server.DefaultCountCheckpointEvery, "save a counted stream's counting state every this many recorded `frames` (0: the default), so that reopening it replays only the frames after (docs/events.md)")
	fs.StringVar(&o.zonesDir, "zones-dir", "", "`folder` of default counting rules per stream name: a stream whose client sends no --zones is counted by <folder>/<name>.yaml (or .yml, .json) when there is one, with tracking on (docs/events.md)")
	fs.StringVar(&o.listen, "listen", ":5005", "`address` to serve gRPC on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.out, "out", "framewire-out", "output `folder` or store URL ("+storeURLs()+"; docs/stores.md): <out>/<stream name>/<seq>.jpg and predictions.jsonl")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve TLS with this PEM certificate `file` (needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.StringVar(&o.tlsClientCA, "tls-client-ca", "", "require client certificates signed by the CAs in this PEM `file` (mutual TLS)")
	fs.StringVar(&o.token, "token", "", "require \"authorization: Bearer TOKEN\" on every gRPC call except the health service, and on every HTTP request (Bearer, or Basic with TOKEN as the password)")
	fs.StringVar(&o.http, "http", "127.0.0.1:8080", "`address` of the live view (/) and Prometheus metrics (/metrics) over HTTP (\":8080\" for every interface); empty = none")
	fs.StringVar(&o.healthProbe, "health-probe", "", "check the gRPC health of the server at `address` and exit 0 if it is SERVING, 1 if not (for container health checks)")
	fs.BoolVar(&o.logJSON, "log-json", false, "log JSON lines instead of text")
	fs.StringVar(&o.logLevel, "log-level", "info", "least important log lines shown: debug, info, warn or error")
	fs.BoolVar(&o.probeTLS, "health-probe-tls", false, "--health-probe over TLS, verifying the server against the system's CAs (implied by --health-probe-ca)")
	fs.StringVar(&o.probeCA, "health-probe-ca", "", "--health-probe over TLS, verifying the server against the CAs in this PEM `file`")
	fs.StringVar(&o.probeName, "health-probe-server-name", "", "name to check in the server's certificate for --health-probe")
	fs.BoolVar(&o.version, "version", false, "print the version of framewire-server and of the libraries it uses, and exit")
	fs.StringVar(&o.cpuProfile, "cpu-profile", "", "write a Go CPU profile (go tool pprof) of the whole run to this `file`, for performance work")
}
