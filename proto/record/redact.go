package record

import "github.com/framewire/framewire/internal/redact"

// RedactSource removes what may be a secret from a source description:
// the user and password of every URL in it and the values of their query
// parameters (tokens, signatures). What is left names the source without
// granting access to it.
func RedactSource(src string) string { return redact.Source(src) }
