package capture

import "io/fs"

// notExistError is an error message that matches fs.ErrNotExist with
// errors.Is, so callers can tell a missing source from a broken one without
// the message saying "file does not exist" twice.
type notExistError string

func (e notExistError) Error() string { return string(e) }

// Is reports whether target is fs.ErrNotExist.
func (e notExistError) Is(target error) bool { return target == fs.ErrNotExist }
