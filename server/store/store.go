// Package store chooses the output store that --out names: a plain path,
// or a URL whose scheme says which store keeps the output (file:// is the
// folder store; an object store or a database plugs in under a scheme of
// its own). The schemes a server knows are listed in one place
// (server.StoreSchemes); docs/stores.md says how to add one.
package store

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/framewire/framewire/internal/redact"
	"github.com/framewire/framewire/server/core"
)

// Store is an output store the server opens and closes.
type Store interface {
	core.Store
	io.Closer
}

// Options are what every store is opened with.
type Options struct {
	// LiveKeepFrames bounds a live stream's images (0 = all).
	LiveKeepFrames int
	// Log hears what the store repaired (nil = nothing).
	Log *slog.Logger
}

// Scheme is one kind of store: the URL scheme that names it and how to
// open one at a location of that scheme.
type Scheme struct {
	Name string
	Open func(loc *url.URL, opts Options) (Store, error)
}

// Location is where a store is: the scheme that opens it and its URL.
type Location struct {
	URL    *url.URL
	scheme Scheme
}

// Find reads out (a plain path or a URL) and finds the scheme among
// schemes that opens it; a path is a file:// location. Nothing is opened
// yet, so that a wrong --out fails before a model is loaded.
func Find(out string, schemes []Scheme) (Location, error) {
	u, err := Parse(out)
	if err != nil {
		return Location{}, err
	}
	var names []string
	for _, s := range schemes {
		if strings.EqualFold(s.Name, u.Scheme) {
			return Location{URL: u, scheme: s}, nil
		}
		names = append(names, s.Name+"://")
	}
	return Location{}, fmt.Errorf("output %q: no store for scheme %q; known: %s, or a plain folder path",
		redact.Source(out), u.Scheme, strings.Join(names, ", "))
}

// Open opens the store at l.
func (l Location) Open(opts Options) (Store, error) {
	return l.scheme.Open(l.URL, opts)
}

// Parse reads out as a location. It is a URL when it starts with a
// scheme and "://" ("s3://bucket/prefix", "file:///srv/out"), or with
// "file:" ("file:/srv/out"); anything else is a path, taken as it is:
// "out:2026" and "my%20out" are folder names. A path is returned as a
// file URL whose Path is the path (relative or not).
func Parse(out string) (*url.URL, error) {
	if out == "" {
		return nil, fmt.Errorf("no output given")
	}
	scheme, rest, ok := cutScheme(out)
	if !ok || !strings.HasPrefix(rest, "//") && !strings.EqualFold(scheme, "file") {
		return &url.URL{Scheme: "file", Path: out}, nil
	}
	u, err := url.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("output %q is not a URL: %w", redact.Source(out), err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}

// cutScheme cuts s at the colon after a URL scheme (a letter, then
// letters, digits, '+', '-' or '.'); ok is false when s starts with none.
func cutScheme(s string) (scheme, rest string, ok bool) {
	scheme, rest, found := strings.Cut(s, ":")
	if !found || scheme == "" || !isLetter(scheme[0]) {
		return "", "", false
	}
	for i := range len(scheme) {
		c := scheme[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return "", "", false
		}
	}
	return scheme, rest, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
