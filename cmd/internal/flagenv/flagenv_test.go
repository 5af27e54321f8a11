package flagenv

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"
)

type flags struct {
	fs      *flag.FlagSet
	listen  string
	workers int
	json    bool
	drain   time.Duration
	usage   bytes.Buffer
}

func newFlags() *flags {
	f := &flags{fs: flag.NewFlagSet("test", flag.ContinueOnError)}
	f.fs.SetOutput(&f.usage)
	f.fs.StringVar(&f.listen, "listen", ":5005", "`address` to serve on")
	f.fs.IntVar(&f.workers, "workers", 0, "workers")
	f.fs.BoolVar(&f.json, "log-json", false, "log JSON")
	f.fs.DurationVar(&f.drain, "drain", time.Second, "drain time")
	return f
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestName(t *testing.T) {
	if got := Name("FRAMEWIRE_", "max-msg-mb"); got != "FRAMEWIRE_MAX_MSG_MB" {
		t.Errorf("got %s", got)
	}
}

func TestEnvironmentSetsFlagsTheCommandLineWins(t *testing.T) {
	f := newFlags()
	err := Parse(f.fs, []string{"--workers", "3"}, "FW_", env(map[string]string{
		"FW_LISTEN":   "127.0.0.1:9",
		"FW_WORKERS":  "7", // the command line says 3
		"FW_LOG_JSON": "true",
		"OTHER_DRAIN": "5s", // another prefix: ignored
	}))
	if err != nil {
		t.Fatal(err)
	}
	if f.listen != "127.0.0.1:9" || f.workers != 3 || !f.json || f.drain != time.Second {
		t.Errorf("listen %q workers %d json %v drain %v", f.listen, f.workers, f.json, f.drain)
	}
}

func TestBadValueNamesTheVariable(t *testing.T) {
	f := newFlags()
	err := Parse(f.fs, nil, "FW_", env(map[string]string{"FW_DRAIN": "soon"}))
	if err == nil || !strings.Contains(err.Error(), `FW_DRAIN="soon"`) {
		t.Errorf("got %v, want an error naming FW_DRAIN", err)
	}
}

func TestHelpShowsVariables(t *testing.T) {
	f := newFlags()
	err := Parse(f.fs, []string{"--help"}, "FW_", env(nil))
	if err != flag.ErrHelp {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"address to serve on [$FW_LISTEN]", "log JSON [$FW_LOG_JSON]", "[$FW_WORKERS]"} {
		if !strings.Contains(f.usage.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, f.usage.String())
		}
	}
}
