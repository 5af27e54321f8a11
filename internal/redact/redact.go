// Package redact removes what may be a secret from a source description
// before it is shown or stored: the user and password of every URL in it
// and the values of their query parameters.
package redact

import "regexp"

var (
	// urlUserinfo matches the "user:password@" part of any URL in a text
	// (a GStreamer pipeline can hold several).
	urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@]*@`)
	// urlQueryValue matches one query parameter's value.
	urlQueryValue = regexp.MustCompile(`([?&][^=&#\s]+=)[^&#\s]*`)
)

// Source is src without the user and password of every URL in it and
// with the values of their query parameters (tokens, signatures) replaced
// by REDACTED. What is left names the source without granting access to it.
func Source(src string) string {
	src = urlUserinfo.ReplaceAllString(src, "$1")
	return urlQueryValue.ReplaceAllString(src, "${1}REDACTED")
}
