// Package streamname derives a stream name the server accepts from a
// source spec, without the secrets a URL may hold. Pure Go.
package streamname

import (
	"path/filepath"
	"strings"

	"github.com/framewire/framewire/internal/redact"
)

// Of derives from the source spec src a stream name the server
// accepts: letters, digits, '.', '_' and '-', not starting with '.'.
func Of(src string) string {
	var base string
	switch {
	case src != "" && strings.Trim(src, "0123456789") == "":
		base = "webcam" + src
	case strings.Contains(src, "!"):
		base = "pipeline"
	case strings.Contains(src, "://"):
		// No credentials, query or fragment: they may hold secrets.
		_, rest, _ := strings.Cut(redact.Source(src), "://")
		rest, _, _ = strings.Cut(rest, "?")
		rest, _, _ = strings.Cut(rest, "#")
		base = strings.TrimSuffix(rest, "/")
	case strings.ContainsAny(src, "*?["):
		// A glob: the folder before its first pattern.
		dir := src[:strings.IndexAny(src, "*?[")]
		base = filepath.Base(filepath.Dir(dir + "x"))
	default:
		base = strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	}
	b := []byte(base)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			b[i] = '-'
		}
	}
	name := strings.TrimLeft(string(b), ".-")
	if len(name) > 64 {
		name = name[:64]
	}
	if name == "" {
		name = "stream"
	}
	return name
}
