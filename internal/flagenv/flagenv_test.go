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
	err := Parse(f.fs, []string{"--workers", "3"}, Env{Prefix: "FW_"}, env(map[string]string{
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
	err := Parse(f.fs, nil, Env{Prefix: "FW_"}, env(map[string]string{"FW_DRAIN": "soon"}))
	if err == nil || !strings.Contains(err.Error(), `FW_DRAIN="soon"`) {
		t.Errorf("got %v, want an error naming FW_DRAIN", err)
	}
}

func TestHelpShowsVariables(t *testing.T) {
	f := newFlags()
	err := Parse(f.fs, []string{"--help"}, Env{Prefix: "FW_"}, env(nil))
	if err != flag.ErrHelp {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"address to serve on [$FW_LISTEN]", "log JSON [$FW_LOG_JSON]", "[$FW_WORKERS]"} {
		if !strings.Contains(f.usage.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, f.usage.String())
		}
	}
}

// A shared flag reads the common variable; an alias given on the command
// line wins over its main flag's variable.
func TestSharedVariablesAndAliases(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var token string
	var fps float64
	fs.StringVar(&token, "token", "", "token")
	fs.Float64Var(&fps, "max-fps", 0, "fps")
	fs.Float64Var(&fps, "fps", 0, "same as --max-fps")
	e := Env{Prefix: "FRAMEWIRE_CAPTURE_", Shared: []string{"token"}, Aliases: map[string]string{"fps": "max-fps"}}
	vars := env(map[string]string{"FRAMEWIRE_TOKEN": "t", "FRAMEWIRE_CAPTURE_MAX_FPS": "30", "FRAMEWIRE_CAPTURE_FPS": "1"})
	if err := Parse(fs, []string{"--fps", "5"}, e, vars); err != nil {
		t.Fatal(err)
	}
	if token != "t" || fps != 5 {
		t.Errorf("token %q fps %v, want t (shared variable) and 5 (the alias on the command line wins)", token, fps)
	}
}
