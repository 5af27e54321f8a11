package main

import (
	"io"
	"os"
	"slices"

	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/internal/flagenv"
)

// Formats framewire-export writes.
const (
	formatCOCO = "coco"
	formatYOLO = "yolo"
	formatMOT  = "mot"
	formatCSV  = "csv"
	formatMP4  = "mp4"
)

// options are the exporter's flags.
type options struct {
	format  string
	out     string
	dir     string
	version bool
}

const usageText = `Usage: framewire-export --format FORMAT [--out PATH] STREAM_FOLDER

Reads STREAM_FOLDER/predictions.jsonl (a stream's folder under the server's
--out) and writes its detections as:

  coco  COCO results JSON: [{"image_id", "category_id", "bbox", "score"}];
        image_id is the frame number, category_id COCO's id for COCO labels
        (person 1, bicycle 2, ... toothbrush 90), class_id+1 otherwise
  yolo  YOLO txt labels: one <frame>.txt per frame with an image, a line
        "class cx cy w h" per detection (normalised to 0..1), and classes.txt
  mot   MOTChallenge det.txt: "frame,id,left,top,width,height,conf,-1,-1,-1"
        with 1-based frames and the track id (-1 when not tracked)
  csv   one row per detection: seq,image,source,position_us,label,class_id,
        score,x,y,width,height,track_id
  events-csv  one row per event of STREAM_FOLDER/events.jsonl (a stream
        counted with framewire-capture --zones): id,stream,kind,rule,
        direction,seq,...,dwell_ms,lost
  counts-csv  the counts per line and zone and class from events.jsonl:
        kind,rule,label,in,out,entered,left,inside
  mp4   the stream's video (server --video) as one MP4: its segments
        joined without encoding again, unless the picture changed size
        (then encoded again at the largest; default --out
        STREAM_FOLDER/video.mp4)

coco, mot, csv, events-csv and counts-csv go to --out (a file) or stdout; yolo goes to --out (a
folder, default STREAM_FOLDER/labels). Frames that failed are left out.

Exit status: 0 on success (and for --help and --version), 1 when the export
failed, 2 for a mistake in the flags.

Flags:
`

// parseFlags reads the command line; its errors are usage errors.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := cli.NewFlagSet("framewire-export", usageText, stderr)
	fs.StringVar(&o.format, "format", "", "output `format`: coco, yolo, mot, csv, events-csv, counts-csv or mp4 (required)")
	fs.StringVar(&o.out, "out", "", "output `path`: a file (coco, mot, csv; default stdout) or a folder (yolo; default STREAM_FOLDER/labels)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	env := flagenv.Env{Prefix: flagenv.Prefix + "EXPORT_"}
	if err := flagenv.Parse(fs, args, env, os.LookupEnv); err != nil {
		return nil, cli.Usage(err)
	}
	if o.version {
		return o, nil
	}
	if fs.NArg() != 1 {
		return nil, cli.Usagef("want one stream folder, got %d arguments (see --help)", fs.NArg())
	}
	if !slices.Contains([]string{formatCOCO, formatYOLO, formatMOT, formatCSV, formatEventsCSV, formatCountsCSV, formatMP4}, o.format) {
		return nil, cli.Usagef("--format %q: want coco, yolo, mot, csv, events-csv, counts-csv or mp4", o.format)
	}
	o.dir = fs.Arg(0)
	return o, nil
}
