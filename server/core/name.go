package core

import (
	"errors"
	"fmt"
)

// MaxStreamName is the longest stream name accepted, in bytes.
const MaxStreamName = 128

// UnaryName is reserved for the images of DetectFrame calls.
const UnaryName = "_unary"

// CheckStreamName accepts names made of letters, digits, '.', '_' and '-',
// not starting with '.', so that a name is always one plain folder or key.
func CheckStreamName(name string) error {
	if name == "" {
		return errors.New("stream name is empty")
	}
	if len(name) > MaxStreamName {
		return fmt.Errorf("stream name is %d bytes long, the limit is %d", len(name), MaxStreamName)
	}
	if name[0] == '.' {
		return fmt.Errorf("stream name %q must not start with '.'", name)
	}
	if name == UnaryName {
		return fmt.Errorf("stream name %q is reserved for the output of DetectFrame calls", name)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("stream name %q has %q: only letters, digits, '.', '_' and '-' are allowed", name, c)
		}
	}
	return nil
}
