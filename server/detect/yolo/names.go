package yolo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseNames reads the class names an Ultralytics export writes into the
// model's "names" metadata: the str() of a Python dict of class id to
// name, {0: 'person', 1: "it's", ...}. Keys may also be quoted ("0"), as
// JSON writes them, and a list ['person', ...] is taken in order. The ids
// must be 0 to n-1, in any order.
func parseNames(s string) ([]string, error) {
	sc := &pyScanner{s: s}
	var byID map[int]string
	var err error
	switch sc.skipSpace(); sc.peek() {
	case '{':
		byID, err = sc.dict()
	case '[':
		byID, err = sc.list()
	default:
		err = errors.New("not a dict or a list")
	}
	if err == nil {
		err = sc.end()
	}
	if err != nil {
		return nil, fmt.Errorf("class names %.60q: %w", s, err)
	}
	return inOrder(byID)
}

// inOrder is the names of ids 0 to len(byID)-1.
func inOrder(byID map[int]string) ([]string, error) {
	names := make([]string, len(byID))
	for id, name := range byID {
		if id < 0 || id >= len(names) {
			return nil, fmt.Errorf("class names: ids are not 0 to %d (found %d)", len(names)-1, id)
		}
		names[id] = name
	}
	if len(names) == 0 {
		return nil, errors.New("class names: none")
	}
	return names, nil
}

// pyScanner reads a Python literal from s, from position i.
type pyScanner struct {
	s string
	i int
}

// skipSpace moves past white space.
func (sc *pyScanner) skipSpace() {
	for sc.i < len(sc.s) && strings.IndexByte(" \t\r\n", sc.s[sc.i]) >= 0 {
		sc.i++
	}
}

// peek is the next byte, 0 at the end.
func (sc *pyScanner) peek() byte {
	if sc.i >= len(sc.s) {
		return 0
	}
	return sc.s[sc.i]
}

// end checks that only white space is left.
func (sc *pyScanner) end() error {
	if sc.skipSpace(); sc.i < len(sc.s) {
		return fmt.Errorf("unexpected %q at byte %d", sc.s[sc.i:min(len(sc.s), sc.i+10)], sc.i)
	}
	return nil
}

// expect moves past white space and byte c, or says what is there instead.
func (sc *pyScanner) expect(c byte) error {
	if sc.skipSpace(); sc.peek() != c {
		return fmt.Errorf("want %q at byte %d", c, sc.i)
	}
	sc.i++
	return nil
}

// items reads comma-separated items with item up to the closing byte
// close (a trailing comma allowed), after the opening byte.
func (sc *pyScanner) items(close byte, item func() error) error {
	sc.i++
	for {
		if sc.skipSpace(); sc.peek() == close {
			sc.i++
			return nil
		}
		if err := item(); err != nil {
			return err
		}
		if sc.skipSpace(); sc.peek() != close {
			if err := sc.expect(','); err != nil {
				return err
			}
		}
	}
}

// dict reads {id: 'name', ...}.
func (sc *pyScanner) dict() (map[int]string, error) {
	byID := map[int]string{}
	err := sc.items('}', func() error {
		id, err := sc.key()
		if err == nil {
			err = sc.expect(':')
		}
		if err != nil {
			return err
		}
		return sc.add(byID, id)
	})
	return byID, err
}

// list reads ['name', ...].
func (sc *pyScanner) list() (map[int]string, error) {
	byID := map[int]string{}
	err := sc.items(']', func() error { return sc.add(byID, len(byID)) })
	return byID, err
}

// add reads a name for id into byID.
func (sc *pyScanner) add(byID map[int]string, id int) error {
	name, err := sc.str()
	if err != nil {
		return err
	}
	if _, dup := byID[id]; dup {
		return fmt.Errorf("class id %d named twice", id)
	}
	byID[id] = name
	return nil
}

// key reads a class id: an integer, bare or quoted.
func (sc *pyScanner) key() (int, error) {
	sc.skipSpace()
	raw, err := sc.bareInt(), error(nil)
	if q := sc.peek(); q == '\'' || q == '"' {
		raw, err = sc.str()
	}
	if err != nil {
		return 0, err
	}
	id, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return 0, fmt.Errorf("class id %q is not an integer", raw)
	}
	return id, nil
}

// bareInt reads the digits (and sign) at the scanner.
func (sc *pyScanner) bareInt() string {
	start := sc.i
	for sc.i < len(sc.s) && strings.IndexByte("+-0123456789", sc.s[sc.i]) >= 0 {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// str reads a quoted Python string ('...' or "..."), decoding its escapes.
func (sc *pyScanner) str() (string, error) {
	sc.skipSpace()
	q := sc.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("want a quoted name at byte %d", sc.i)
	}
	var b strings.Builder
	for sc.i++; sc.i < len(sc.s); {
		c := sc.s[sc.i]
		switch {
		case c == q:
			sc.i++
			return b.String(), nil
		case c == '\\':
			if err := sc.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			sc.i++
		}
	}
	return "", errors.New("unterminated string")
}

// simpleEscape is what Python's one-character escape \c stands for.
func simpleEscape(c byte) (string, bool) {
	i := strings.IndexByte("\\'\"nrtabfv0\n", c)
	if i < 0 {
		return "", false
	}
	return [...]string{`\`, `'`, `"`, "\n", "\r", "\t", "\a", "\b", "\f", "\v", "\x00", ""}[i], true
}

// escape decodes the escape at the scanner (a backslash) into b. An
// unknown escape stays as written, as in Python.
func (sc *pyScanner) escape(b *strings.Builder) error {
	if sc.i+1 >= len(sc.s) {
		return errors.New("unterminated string")
	}
	c := sc.s[sc.i+1]
	if r, ok := simpleEscape(c); ok {
		b.WriteString(r)
		sc.i += 2
		return nil
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	if digits == 0 {
		b.WriteByte('\\')
		sc.i++
		return nil
	}
	return sc.hexEscape(b, digits)
}

// hexEscape decodes \xhh, \uhhhh or \Uhhhhhhhh (digits hex digits) into b.
func (sc *pyScanner) hexEscape(b *strings.Builder, digits int) error {
	start := sc.i + 2
	if start+digits > len(sc.s) {
		return errors.New("short hex escape")
	}
	v, err := strconv.ParseUint(sc.s[start:start+digits], 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return fmt.Errorf("bad escape %q", sc.s[sc.i:start+digits])
	}
	b.WriteRune(rune(v))
	sc.i = start + digits
	return nil
}
