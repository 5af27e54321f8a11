package capturecmd

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/framewire/framewire/capture/reconnect"
	"github.com/framewire/framewire/capture/streamname"
	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/internal/flagenv"
	"github.com/framewire/framewire/internal/zonefile"
	"github.com/framewire/framewire/stream/dial"
)

// options are the client's flags.
type options struct {
	server       string
	source       string
	name         string
	quality      int
	encoding     string
	width        int
	height       int
	sharedMemory bool
	maxFPS       float64
	window       int
	json         bool
	quiet        bool
	conf         float64
	classes      []string
	saveEvery    int
	saveOnlyDet  bool
	maxMsgMB     int
	retries      int
	stall        time.Duration
	reconnectMax int
	waitServer   time.Duration
	dial         dial.Config
	save         string
	overwrite    bool
	increment    bool
	track        bool
	zones        string // the counting rules' compact JSON; empty for none
	video        optBool
	version      bool
}

// flagEnv maps the client's flags to its environment variables.
func flagEnv() flagenv.Env {
	return flagenv.Env{
		Prefix:  flagenv.Prefix + "CAPTURE_",
		Shared:  []string{"token"},
		Aliases: map[string]string{"fps": "max-fps"},
	}
}

// parseFlags reads the command line and environment; its errors are usage
// errors (exit status 2), --help is flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o, err := parseArgs(args, stderr)
	return o, cli.Usage(err)
}

// rawFlags are the flags read as text before they are checked.
type rawFlags struct {
	resize, classes, zones string
}

const usageText = `Usage: framewire-capture --source SRC [flags]

Streams SRC to a framewire server over one long-lived gRPC call and prints a
line per processed frame, then a summary. The server writes the annotated
JPEGs and predictions.jsonl under <its --out>/<--name>/.

SRC is one of:
  0, 1, ...            a webcam index (/dev/video0, ...)      live
  /dev/video0          a video device                         live
  video.mp4            a video file                           every frame, in order
  rtsp://..., http://  a network stream                       live
  'videotestsrc ! ... ! appsink'  a GStreamer pipeline        live
A live source never queues: while the server is busy the newest frame
replaces the unsent one and the drop is counted. A file loses nothing.
A live source that ends, fails or freezes (no frame for --stall-timeout)
is opened again with backoff, forever unless --reconnect-max says; the
stream goes on in the same folder and the outage is counted.

Re-running a file with the same name, model and options resumes it: frames
the server has already recorded are skipped. If the folder holds another run
the client stops and says what differs; --overwrite replaces that run,
--increment writes NAME-2 (the default for live sources, so a restarted
webcam never touches an earlier run's output). A name that another client is
streaming to right now is refused.

On a terminal, a progress bar for a file shows frames done, fps and ETA.

Every flag can also be set by the environment variable shown beside it
(FRAMEWIRE_CAPTURE_ and the flag's name in upper case, '-' as '_'; the token
is FRAMEWIRE_TOKEN, shared with the server); a flag given on the command
line wins.

Exit status: 0 when the stream completed and no frame failed (and for --help
and --version), 1 when it did not, 2 for a mistake in the flags or
variables. A URL's user and password, and its query, never leave this
machine.

Flags:
`

func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o, raw := &options{}, &rawFlags{}
	fs := cli.NewFlagSet("framewire-capture", usageText, stderr)
	connFlags(fs, o)
	sourceFlags(fs, o, raw)
	outputFlags(fs, o, raw)
	if err := flagenv.Parse(fs, args, flagEnv(), os.LookupEnv); err != nil {
		return nil, err
	}
	if o.version {
		return o, nil
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := o.complete(raw); err != nil {
		return nil, err
	}
	if o.zones != "" && !o.track {
		o.track = true
		fmt.Fprintln(stderr, "framewire-capture: --zones counts tracks: --track is on")
	}
	return o, nil
}

// check refuses values that cannot work.
func (o *options) check() error {
	switch {
	case o.source == "":
		return fmt.Errorf("--source is required (see --help)")
	case o.overwrite && o.increment:
		return fmt.Errorf("--overwrite and --increment exclude each other")
	case (o.dial.CertFile == "") != (o.dial.KeyFile == ""):
		return fmt.Errorf("--tls-cert and --tls-key go together")
	case o.retries < 0 || o.reconnectMax < 0 || o.waitServer < 0:
		return fmt.Errorf("--retries, --reconnect-max and --wait-for-server must not be negative")
	case o.stall <= 0:
		return fmt.Errorf("--stall-timeout must be positive, got %v", o.stall)
	case !validEncoding(o.encoding):
		return fmt.Errorf("--encoding must be auto, jpeg or raw, got %q", o.encoding)
	case o.quality < 1 || o.quality > 100:
		return fmt.Errorf("--quality must be 1..100, got %d", o.quality)
	case o.conf < 0 || o.conf > 1:
		return fmt.Errorf("--conf must be 0..1, got %v", o.conf)
	case o.window < 0 || o.saveEvery < 0 || o.maxFPS < 0 || o.maxMsgMB <= 0:
		return fmt.Errorf("--window, --save-every and --max-fps must not be negative, --max-msg-mb must be positive")
	}
	return nil
}

// complete derives what the flags imply: sizes, the class list, the name.
func (o *options) complete(raw *rawFlags) error {
	o.dial.MaxMsgBytes = o.maxMsgMB << 20
	var err error
	if o.width, o.height, err = parseResize(raw.resize); err != nil {
		return err
	}
	for _, c := range strings.Split(raw.classes, ",") {
		if c = strings.TrimSpace(c); c != "" {
			o.classes = append(o.classes, c)
		}
	}
	if o.name == "" {
		o.name = streamname.Of(o.source)
	}
	o.zones, err = zonefile.ReadJSON(raw.zones) // checked before anything is sent
	return err
}

func sourceFlags(fs *flag.FlagSet, o *options, raw *rawFlags) {
	fs.StringVar(&o.source, "source", "", "`SRC` to stream: webcam index, device, video file, URL or GStreamer pipeline (required)")
	fs.StringVar(&o.name, "name", "", "stream `name`, the server's output folder (default: from the source, e.g. vtest for vtest.avi, webcam0 for 0)")
	fs.BoolVar(&o.sharedMemory, "shared-memory", true, "when every --server address is this machine (as for --encoding auto), ask the server for memory shared with it and write each raw frame there instead of sending it through the socket (the server reads it there until it answers it); frames go through the socket when the server offers none or it cannot be opened (another user, another container: the summary says why). false: always the socket")
	fs.StringVar(&o.encoding, "encoding", encodingAuto, "how frames go to the server: jpeg (compressed, for networks), raw (uncompressed BGR pixels, 3 bytes a pixel: no encoding or decoding, no loss), or auto: raw when every --server address is this machine (loopback, 0.0.0.0 or a unix socket) and the frame is at most half of --max-msg-mb, else jpeg. A raw frame larger than the server takes goes as JPEG, and so do grey frames; photos that are JPEG or PNG files always go as they are")
	fs.IntVar(&o.quality, "quality", 90, "JPEG quality of the frames sent, 1..100")
	fs.StringVar(&raw.resize, "resize", "", "resize frames before sending: `WxH`, or W alone to keep the aspect ratio")
	fs.Float64Var(&o.maxFPS, "max-fps", 0, "send at most this many frames a second (0 = as fast as the source gives them); a file is paced, a live source skips frames")
	fs.Float64Var(&o.maxFPS, "fps", 0, "same as --max-fps")
	fs.IntVar(&o.window, "window", 0, "most frames sent and not yet answered (0 = 2 for live sources, 8 for files; the server may lower it)")
	fs.IntVar(&o.retries, "retries", 10, "when the call breaks (server restarted, network down), reconnect up to this many times in a row with exponential backoff; a file resumes where the server's output stops (0 = give up at once)")
	fs.DurationVar(&o.stall, "stall-timeout", reconnect.DefaultStall, "a live source (camera, device, URL, pipeline) that gives no frame for this long counts as lost, like one that ends or fails (plus the interval of --max-fps; opening it again may take twice as long)")
	fs.IntVar(&o.reconnectMax, "reconnect-max", 0, "when a live source is lost, reopen it with exponential backoff (0.1 s doubling up to 2 s) up to this many times in a row, then give up; 0 = forever. The stream, its folder and its sequence numbers go on")
	fs.BoolVar(&o.overwrite, "overwrite", false, "when the server's folder of --name holds another run (another source, model, model file or options, or an earlier live run), delete it and start afresh; also redoes a run that is done")
	fs.BoolVar(&o.increment, "increment", false, "when the server's folder of --name holds another run, write to NAME-2, NAME-3, ... instead (the default for live sources; a file resumes its own run and refuses another one without this or --overwrite)")
}

func outputFlags(fs *flag.FlagSet, o *options, raw *rawFlags) {
	fs.BoolVar(&o.json, "json", false, "print one JSON object per result line: seq, detections, latency_ms, error, ...")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the summary")
	fs.Float64Var(&o.conf, "conf", 0, "keep only detections scoring at least this, 0..1: above or below the model's own threshold (nanodet 0.4), down to the server's --min-conf (0.05 by default); 0 = the server's threshold")
	fs.StringVar(&raw.classes, "classes", "", "ask the server to keep only these labels, comma-separated (e.g. person,car)")
	fs.IntVar(&o.saveEvery, "save-every", 0, "ask the server to write the JPEG of every Nth frame only (0 or 1 = every frame)")
	fs.BoolVar(&o.saveOnlyDet, "save-only-detections", false, "ask the server to write JPEGs only for frames with detections")
	fs.StringVar(&o.save, "save", "", "also write the annotated JPEGs the server writes to `folder`/<name>/<seq>.jpg on this machine (the server sends them back)")
	fs.StringVar(&raw.zones, "zones", "", "`FILE` (YAML or JSON) of lines and zones, in frame pixels, to count tracks by: line crossings in and out, zone entries, exits and dwell, written to events.jsonl (docs/events.md); turns on --track")
	fs.Var(&o.video, "video", "ask the server to also write this stream's annotated frames as H.264 video segments (<out>/<name>/video/, an HLS playlist, a player in the live view); --video=false asks it not to (default: the server's --video)")
	fs.BoolVar(&o.track, "track", false, "ask the server to give every detection a track id that stays with the object from frame to frame (predictions.jsonl track_id, drawn as 'person #12 0.81'); the summary counts distinct tracks per label")
	fs.BoolVar(&o.version, "version", false, "print the version of framewire-capture and of the libraries it uses, and exit")
}

func connFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.server, "server", "127.0.0.1:5005", "server `address` (host:port)")
	fs.DurationVar(&o.waitServer, "wait-for-server", 0, "when the server cannot be reached at the start, keep trying for up to this `duration` (e.g. 1m) instead of failing at once; once it has answered, --retries decides")
	fs.IntVar(&o.maxMsgMB, "max-msg-mb", 16, "largest gRPC message sent or accepted, in MiB")
	fs.BoolVar(&o.dial.TLS, "tls", false, "connect with TLS, verifying the server against the system's CAs (implied by --tls-ca)")
	fs.StringVar(&o.dial.CAFile, "tls-ca", "", "verify the server's certificate against the CAs in this PEM `file`")
	fs.StringVar(&o.dial.CertFile, "tls-cert", "", "client certificate PEM `file` for mutual TLS (needs --tls-key)")
	fs.StringVar(&o.dial.KeyFile, "tls-key", "", "private key PEM `file` of --tls-cert")
	fs.StringVar(&o.dial.ServerName, "tls-server-name", "", "name to check in the server's certificate (default: the host of --server)")
	fs.StringVar(&o.dial.Token, "token", "", "send \"authorization: Bearer TOKEN\" with every call")
}

// parseResize reads "WxH" or "W".
func parseResize(s string) (w, h int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	ws, hs, both := strings.Cut(strings.ToLower(s), "x")
	if w, err = strconv.Atoi(ws); err != nil || w <= 0 {
		return 0, 0, fmt.Errorf("--resize %q: want WxH or W with positive numbers", s)
	}
	if both {
		if h, err = strconv.Atoi(hs); err != nil || h <= 0 {
			return 0, 0, fmt.Errorf("--resize %q: want WxH or W with positive numbers", s)
		}
	}
	return w, h, nil
}
