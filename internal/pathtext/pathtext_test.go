package pathtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextIsValidReadableAndExact(t *testing.T) {
	cases := map[string]string{
		"dog.jpg":              "dog.jpg",
		"caf\u00e9 \u732b.jpg": "caf\u00e9 \u732b.jpg",
		`back\slash.jpg`:       `back\slash.jpg`,
		"bad\xffname.jpg":      `bad\xffname.jpg`,
		"latin1 caf\xe9.jpg":   `latin1 caf\xe9.jpg`,
		"\xc3":                 `\xc3`,
		"a\\b\x80":             `a\\b\x80`,
		"\xed\xa0\x80":         `\xed\xa0\x80`, // an encoded surrogate is not UTF-8
		"ok\u00e9\xfe/dir\xff": "ok\u00e9\\xfe/dir\\xff",
	}
	for in, want := range cases {
		got := Text(in)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("Text(%q): got %q, want %q", in, got, want)
		}
		if back := pathOf(got); back != in && !utf8.ValidString(in) {
			t.Errorf("pathOf(%q): got %q, want %q back", got, back, in)
		}
	}
}

// FuzzText checks that any bytes give valid UTF-8 that gives them back.
func FuzzText(f *testing.F) {
	f.Add("bad\xffname.jpg")
	f.Add(`a\\x41\xff`)
	f.Fuzz(func(t *testing.T, p string) {
		got := Text(p)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q is not UTF-8", p, got)
		}
		if !utf8.ValidString(p) && pathOf(got) != p {
			t.Fatalf("pathOf(Text(%q)) = %q", p, pathOf(got))
		}
		if utf8.ValidString(p) && got != p {
			t.Fatalf("Text(%q) = %q changed a valid name", p, got)
		}
	})
}

// pathOf undoes Text for a text that holds a \x escape: it gives back the
// path's bytes. Any other text is a path as it is.
func pathOf(text string) string {
	if !strings.Contains(text, `\x`) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch {
		case strings.HasPrefix(text[i:], `\\`):
			b.WriteByte('\\')
			i++
		case strings.HasPrefix(text[i:], `\x`) && i+4 <= len(text) && isHex(text[i+2]) && isHex(text[i+3]):
			b.WriteByte(unhex(text[i+2])<<4 | unhex(text[i+3]))
			i += 3
		default:
			b.WriteByte(text[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
