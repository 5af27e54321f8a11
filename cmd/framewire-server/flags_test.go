package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/cli"
)

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("FRAMEWIRE_SERVER_MODEL", "mean")
	t.Setenv("FRAMEWIRE_SERVER_HTTP", "")
	t.Setenv("FRAMEWIRE_SERVER_WORKERS", "3")
	t.Setenv("FRAMEWIRE_CAPTURE_WINDOW", "many") // the client's: not read
	o, err := parseFlags([]string{"--workers", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.model != "mean" || o.http != "" || o.workers != 5 {
		t.Errorf("model %q http %q workers %d, want mean, empty (from the environment) and 5 (the command line wins)", o.model, o.http, o.workers)
	}
	t.Setenv("FRAMEWIRE_SERVER_WINDOW", "many")
	_, err = parseFlags(nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "FRAMEWIRE_SERVER_WINDOW") || cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("bad variable: got %v (exit %d), want a usage error naming FRAMEWIRE_SERVER_WINDOW", err, cli.ExitCode(err))
	}
}

func TestHelpNamesEveryVariable(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"--help"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"[$FRAMEWIRE_SERVER_LISTEN]", "[$FRAMEWIRE_SERVER_HTTP]", "[$FRAMEWIRE_SERVER_MAX_MSG_MB]", "[$FRAMEWIRE_TOKEN]", "a flag given on the\ncommand line wins"} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
