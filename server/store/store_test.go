package store

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// fileScheme opens nothing: it says which folder it was given.
func fileScheme(got *string) Scheme {
	return Scheme{Name: "file", Open: func(loc *url.URL, _ Options) (Store, error) {
		dir, err := FilePath(loc)
		*got = dir
		if err == nil {
			err = errors.New("opened")
		}
		return nil, err
	}}
}

func TestOutputNamesAFolder(t *testing.T) {
	for _, c := range []struct{ out, want string }{
		{"/srv/out", "/srv/out"},
		{"framewire-out", "framewire-out"},
		{"./out:2026", "./out:2026"},
		{"out:2026", "out:2026"},
		{"my%20out", "my%20out"},
		{"what?#", "what?#"},
		{"file:///srv/out", "/srv/out"},
		{"FILE:///srv/out", "/srv/out"},
		{"file://localhost/srv/out", "/srv/out"},
		{"file:/srv/out", "/srv/out"},
		{"file:///srv/my%20out%3F", "/srv/my out?"},
	} {
		var got string
		loc, err := Find(c.out, []Scheme{fileScheme(&got)})
		if err == nil {
			_, err = loc.Open(Options{})
		}
		if err == nil || err.Error() != "opened" || got != c.want {
			t.Errorf("--out %q: folder %q (%v), want %q", c.out, got, err, c.want)
		}
	}
}

func TestOutputThatNamesNoFolderIsRefused(t *testing.T) {
	for _, c := range []struct{ out, says string }{
		{"", "no output given"},
		{"s3://bucket/prefix", `no store for scheme "s3"; known: file://, or a plain folder path`},
		{"s3://key:secret@bucket/prefix?token=abc", `output "s3://bucket/prefix?token=REDACTED": no store for scheme "s3"`},
		{"file://out", `names host "out"`},
		{"file:out", "a file URL names an absolute path"},
		{"file:///srv/out?x=1", "takes no query or fragment"},
		{"file:///srv/50%", "is not a URL"},
		{"file://", "names no folder"},
	} {
		var got string
		loc, err := Find(c.out, []Scheme{fileScheme(&got)})
		if err == nil {
			_, err = loc.Open(Options{})
		}
		if err == nil || !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), "secret") {
			t.Errorf("--out %q: error %v, want one saying %q (and no secret)", c.out, err, c.says)
		}
	}
}
