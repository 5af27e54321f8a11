package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("FRAMEWIRE_MODEL", "mean")
	t.Setenv("FRAMEWIRE_HTTP", "")
	t.Setenv("FRAMEWIRE_WORKERS", "3")
	o, err := parseFlags([]string{"--workers", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.model != "mean" || o.http != "" || o.workers != 5 {
		t.Errorf("model %q http %q workers %d, want mean, empty (from the environment) and 5 (the command line wins)", o.model, o.http, o.workers)
	}
	t.Setenv("FRAMEWIRE_WINDOW", "many")
	if _, err := parseFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "FRAMEWIRE_WINDOW") {
		t.Errorf("bad variable: got %v, want an error naming FRAMEWIRE_WINDOW", err)
	}
}

func TestHelpNamesEveryVariable(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"--help"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"[$FRAMEWIRE_LISTEN]", "[$FRAMEWIRE_HTTP]", "[$FRAMEWIRE_MAX_MSG_MB]", "a flag given on\nthe command line wins"} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
