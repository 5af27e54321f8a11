// Package cli holds what framewire's commands share about the command line:
// the process's main, exit statuses and the version text.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Exit statuses of every framewire command.
const (
	ExitOK      = 0 // done, or --help / --version
	ExitFailure = 1 // the work failed (or a health probe found the server not serving)
	ExitUsage   = 2 // the command line or an environment variable is wrong
)

// usageError marks a mistake in the command line or environment.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// Usage marks err as a usage error (exit status 2); nil stays nil.
func Usage(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// Usagef is a new usage error.
func Usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// ErrVersion is returned by a command that printed its version.
var ErrVersion = errors.New("version printed")

// ExitCode is the exit status for what a command's run returned.
func ExitCode(err error) int {
	var u usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp), errors.Is(err, ErrVersion):
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	}
	return ExitFailure
}

// Silent reports whether err needs no message (help or version shown).
func Silent(err error) bool {
	return err == nil || errors.Is(err, flag.ErrHelp) || errors.Is(err, ErrVersion)
}

// Version is the command's version text: the module version and commit,
// then one "name version" line per part (OpenCV, engines).
func Version(command string, parts ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", command, moduleVersion())
	for _, p := range parts {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}

// moduleVersion is the main module's version with the commit it was built
// from ("(devel)" in a checkout, plus the commit and "modified" when the
// tree had changes).
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		v += " commit " + rev[:min(12, len(rev))]
		if settings["vcs.modified"] == "true" {
			v += " (modified)"
		}
	}
	return v + " " + bi.GoVersion
}

// Run is what a command does with its arguments and output streams; ctx
// ends at the first SIGINT or SIGTERM.
type Run func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// Main runs run as the process: it gives run a context that the first
// SIGINT or SIGTERM ends (a second one kills the process the default
// way), prints run's error as "command: error", and exits with
// ExitCode. Only main calls it.
func Main(command string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the next signal is not caught
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if !Silent(err) {
		fmt.Fprintln(os.Stderr, command+":", err)
	}
	os.Exit(ExitCode(err))
}

// NewFlagSet is the flag set of command: its errors and usage go to
// stderr, the usage as usage's text followed by the flags.
func NewFlagSet(command, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}
