// Package zonefile reads a stream's counting rules, the file given to
// framewire-capture --zones (or found by the server in --zones-dir): the
// lines that tracks cross and the zones they enter and leave, in
// source-frame pixels. YAML or JSON (JSON is YAML). Both sides use it:
// the client checks the file before any frame is sent, the server checks
// the header's copy again. Pure Go.
package zonefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits keep a header, the drawing and the metrics' label sets small.
const (
	MaxRules      = 32  // lines, and zones, each
	MaxPolygon    = 64  // points of a zone
	MaxNameLen    = 64  // bytes of a rule's name
	MaxHysteresis = 300 // frames
	MaxRejoin     = 100000
)

// Anchors: the point of a box that counts.
const (
	AnchorBottomCenter = "bottom_center"
	AnchorCenter       = "center"
	AnchorTopCenter    = "top_center"
)

// Defaults of the optional fields.
const (
	DefaultHysteresis   = 3
	DefaultRejoinFrames = 60
)

// Config is one stream's counting rules.
type Config struct {
	// Anchor is the point of a box that crosses lines and is in zones
	// [bottom_center].
	Anchor string `json:"anchor,omitempty" yaml:"anchor"`
	// Hysteresis is how many frames in a row a track's anchor must be on
	// the new side of a line (in or out of a zone) before it counts [3].
	Hysteresis int `json:"hysteresis,omitempty" yaml:"hysteresis"`
	// RejoinFrames is how long a track that vanished may come back under
	// a new id and carry on (no second entry), and after which it is
	// lost (a zone it was in is left) [60].
	RejoinFrames int64  `json:"rejoin_frames,omitempty" yaml:"rejoin_frames"`
	Lines        []Line `json:"lines,omitempty" yaml:"lines"`
	Zones        []Zone `json:"zones,omitempty" yaml:"zones"`
}

// Line is a segment tracks cross, from From to To.
type Line struct {
	Name    string    `json:"name" yaml:"name"`
	From    []float64 `json:"from" yaml:"from"`
	To      []float64 `json:"to" yaml:"to"`
	Classes []string  `json:"classes,omitempty" yaml:"classes"`
}

// Zone is a polygon tracks enter and leave.
type Zone struct {
	Name    string      `json:"name" yaml:"name"`
	Polygon [][]float64 `json:"polygon" yaml:"polygon"`
	Classes []string    `json:"classes,omitempty" yaml:"classes"`
}

// Parse reads and checks a zones file's text; unknown fields are errors.
// The error names the field at fault ("lines[1].to").
func Parse(data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return c, errors.New("the zones file is empty")
		}
		return c, fmt.Errorf("not a zones file: %w", err)
	}
	if err := c.Check(); err != nil {
		return c, err
	}
	return c, nil
}

// ReadJSON reads and checks the zones file at path and returns it as
// compact JSON (Config.JSON); "" for the path "" (no file).
func ReadJSON(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--zones: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return "", fmt.Errorf("--zones %s: %w", path, err)
	}
	return c.JSON(), nil
}

// Check checks every field and fills the defaults.
func (c *Config) Check() error {
	if err := c.checkSettings(); err != nil {
		return err
	}
	if len(c.Lines)+len(c.Zones) == 0 {
		return errors.New("lines, zones: the file has neither a line nor a zone")
	}
	if len(c.Lines) > MaxRules || len(c.Zones) > MaxRules {
		return fmt.Errorf("lines, zones: %d lines and %d zones, at most %d of each", len(c.Lines), len(c.Zones), MaxRules)
	}
	names := map[string]string{}
	for i := range c.Lines {
		if err := c.Lines[i].check(fmt.Sprintf("lines[%d]", i), names); err != nil {
			return err
		}
	}
	for i := range c.Zones {
		if err := c.Zones[i].check(fmt.Sprintf("zones[%d]", i), names); err != nil {
			return err
		}
	}
	return nil
}

// checkSettings checks the file-wide fields and fills their defaults.
func (c *Config) checkSettings() error {
	switch c.Anchor {
	case "":
		c.Anchor = AnchorBottomCenter
	case AnchorBottomCenter, AnchorCenter, AnchorTopCenter:
	default:
		return fmt.Errorf("anchor: %q is none of %s, %s, %s", c.Anchor, AnchorBottomCenter, AnchorCenter, AnchorTopCenter)
	}
	if c.Hysteresis == 0 {
		c.Hysteresis = DefaultHysteresis
	}
	if c.Hysteresis < 1 || c.Hysteresis > MaxHysteresis {
		return fmt.Errorf("hysteresis: %d frames, want 1 to %d", c.Hysteresis, MaxHysteresis)
	}
	if c.RejoinFrames == 0 {
		c.RejoinFrames = DefaultRejoinFrames
	}
	if c.RejoinFrames < 1 || c.RejoinFrames > MaxRejoin {
		return fmt.Errorf("rejoin_frames: %d, want 1 to %d", c.RejoinFrames, MaxRejoin)
	}
	return nil
}

func (l *Line) check(field string, names map[string]string) error {
	if err := checkName(field, l.Name, names); err != nil {
		return err
	}
	if err := checkPoint(field+".from", l.From); err != nil {
		return err
	}
	if err := checkPoint(field+".to", l.To); err != nil {
		return err
	}
	if l.From[0] == l.To[0] && l.From[1] == l.To[1] {
		return fmt.Errorf("%s: from and to are the same point: a line needs two", field)
	}
	return checkClasses(field+".classes", l.Classes)
}

func (z *Zone) check(field string, names map[string]string) error {
	if err := checkName(field, z.Name, names); err != nil {
		return err
	}
	if n := len(z.Polygon); n < 3 || n > MaxPolygon {
		return fmt.Errorf("%s.polygon: %d points, want 3 to %d", field, n, MaxPolygon)
	}
	for i, p := range z.Polygon {
		if err := checkPoint(fmt.Sprintf("%s.polygon[%d]", field, i), p); err != nil {
			return err
		}
	}
	if area(z.Polygon) == 0 {
		return fmt.Errorf("%s.polygon: its points enclose no area", field)
	}
	return checkClasses(field+".classes", z.Classes)
}

// checkName checks a rule's name, unique among lines and zones.
func checkName(field, name string, names map[string]string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s.name: missing", field)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%s.name: %d bytes, at most %d", field, len(name), MaxNameLen)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\uFFFD' }):
		return fmt.Errorf("%s.name: %q has a control character", field, name)
	case names[name] != "":
		return fmt.Errorf("%s.name: %q is already the name of %s", field, name, names[name])
	}
	names[name] = field
	return nil
}

// checkPoint checks [x, y] in pixels.
func checkPoint(field string, p []float64) error {
	if len(p) != 2 {
		return fmt.Errorf("%s: want [x, y], got %d numbers", field, len(p))
	}
	for _, v := range p {
		if v != v || v < -1e6 || v > 1e6 {
			return fmt.Errorf("%s: %v is not a pixel coordinate", field, p)
		}
	}
	return nil
}

func checkClasses(field string, classes []string) error {
	for i, c := range classes {
		if c == "" {
			return fmt.Errorf("%s[%d]: empty class", field, i)
		}
	}
	return nil
}

// area is twice the polygon's signed area.
func area(poly [][]float64) float64 {
	a := 0.0
	for i, p := range poly {
		q := poly[(i+1)%len(poly)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a
}

// JSON is c as compact JSON, the form the header and the run carry:
// the same rules give the same text whatever the file's layout.
func (c Config) JSON() string {
	b, err := json.Marshal(c)
	if err != nil {
		return "" // cannot happen: plain fields
	}
	return string(b)
}

// Classes lists every class a rule names, for the server to check
// against its model's.
func (c Config) Classes() []string {
	var out []string
	for _, l := range c.Lines {
		out = append(out, l.Classes...)
	}
	for _, z := range c.Zones {
		out = append(out, z.Classes...)
	}
	return out
}
