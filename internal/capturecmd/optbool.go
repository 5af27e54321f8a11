package capturecmd

import "strconv"

// optBool is a boolean flag that may stay unset (nil: the server decides).
type optBool struct{ v *bool }

func (o *optBool) String() string {
	if o == nil || o.v == nil {
		return ""
	}
	return strconv.FormatBool(*o.v)
}

func (o *optBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	o.v = &b
	return err
}
func (o *optBool) IsBoolFlag() bool { return true }
