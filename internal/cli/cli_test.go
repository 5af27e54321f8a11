package cli

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{flag.ErrHelp, ExitOK},
		{fmt.Errorf("wrapped: %w", ErrVersion), ExitOK},
		{Usagef("--quality must be 1..100"), ExitUsage},
		{fmt.Errorf("parse: %w", Usage(errors.New("bad flag"))), ExitUsage},
		{errors.New("server unreachable"), ExitFailure},
	} {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if Usage(nil) != nil || !errors.Is(Usage(flag.ErrHelp), flag.ErrHelp) || ExitCode(Usage(flag.ErrHelp)) != ExitOK {
		t.Error("Usage must leave nil and flag.ErrHelp alone")
	}
}

func TestVersionNamesCommandAndParts(t *testing.T) {
	v := Version("framewire-x", "OpenCV 4.6.0")
	if !strings.HasPrefix(v, "framewire-x ") || !strings.Contains(v, "\n  OpenCV 4.6.0\n") || !strings.Contains(v, "go1.") {
		t.Errorf("Version = %q, want the command, the Go version and one line per part", v)
	}
}

func TestHalveGoProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(before)
	HalveGoProcs(func(string) string { return "4" })
	if got := runtime.GOMAXPROCS(0); got != 4 {
		t.Errorf("with GOMAXPROCS set: %d processors, want the 4 it says", got)
	}
	HalveGoProcs(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Errorf("4 processors halved: %d, want 2", got)
	}
	runtime.GOMAXPROCS(1)
	HalveGoProcs(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("1 processor halved: %d, want 1", got)
	}
}
