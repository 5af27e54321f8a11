// Package flagenv lets every flag of a command also come from an
// environment variable: flag --max-msg-mb of prefix FRAMEWIRE_ is read from
// FRAMEWIRE_MAX_MSG_MB. A flag given on the command line wins over its
// variable. It keeps no state of its own.
package flagenv

import (
	"flag"
	"fmt"
	"strings"
)

// Prefix is the prefix of framewire's variables.
const Prefix = "FRAMEWIRE_"

// Name is the environment variable of flag name under prefix: upper case,
// with '-' and '.' turned into '_'.
func Name(prefix, name string) string {
	return prefix + strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(name))
}

// Parse documents each flag's variable in its usage text (so that --help
// shows it), parses args into fs, then sets every flag not given in args
// whose variable lookup finds. A variable whose value the flag refuses is
// an error naming the variable. lookup is os.LookupEnv outside tests.
func Parse(fs *flag.FlagSet, args []string, prefix string, lookup func(string) (string, bool)) error {
	fs.VisitAll(func(f *flag.Flag) {
		f.Usage += fmt.Sprintf(" [$%s]", Name(prefix, f.Name))
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		v, ok := lookup(Name(prefix, f.Name))
		if !ok {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("%s=%q: %w", Name(prefix, f.Name), v, serr)
		}
	})
	return err
}
