// Package pathtext writes file system paths and names, which may hold any
// bytes, as valid UTF-8 text for the wire and for JSON, keeping them
// readable and exact.
package pathtext

import (
	"strings"
	"unicode/utf8"
)

// Text is p as valid UTF-8 text. A p that is valid UTF-8 is returned as it
// is. Otherwise every byte that is not part of a valid UTF-8 sequence is
// written as \x and two lower-case hex digits (bad\xffname.jpg, as Go's
// %q and Python's bytes show it) and every backslash as \\, so the text
// still reads as the name and gives back its exact bytes (an escaped
// text always holds a \x escape; only a valid name that itself holds
// "\x" and two hex digits reads like one).
func Text(p string) string {
	if utf8.ValidString(p) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[p[i]>>4])
			b.WriteByte(hexDigits[p[i]&0xf])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(p[i : i+n])
		}
		i += n
	}
	return b.String()
}

const hexDigits = "0123456789abcdef"
