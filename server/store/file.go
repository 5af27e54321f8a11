package store

import (
	"fmt"
	"net/url"
)

// FilePath is the folder a file location names. A plain path is itself
// (relative to the working directory or not). A file URL names an
// absolute path on this machine, percent-escapes decoded
// ("file:///srv/my%20out" is "/srv/my out"); its host may only be empty
// or "localhost", and it takes no query or fragment (a '?' or '#' in a
// folder name is written %3F or %23).
func FilePath(u *url.URL) (string, error) {
	switch {
	case u.Opaque != "":
		return "", fmt.Errorf("output %q: a file URL names an absolute path (file:///srv/out); for a relative folder give the path alone", u.String())
	case u.Host != "" && u.Host != "localhost":
		return "", fmt.Errorf("output %q names host %q: a file URL names a folder on this machine (file:///srv/out); for a relative folder give the path alone (%s/...)", u.String(), u.Host, u.Host)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("output %q: a file URL takes no query or fragment; write '?' as %%3F and '#' as %%23", u.String())
	case u.Path == "":
		return "", fmt.Errorf("output %q names no folder", u.String())
	}
	return u.Path, nil
}
