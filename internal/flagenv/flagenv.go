// Package flagenv lets every flag of a command also come from an
// environment variable of that command: flag --max-msg-mb of framewire-server
// is read from FRAMEWIRE_SERVER_MAX_MSG_MB. A few flags that the commands
// share on purpose (the token) have one variable for all. A flag given on
// the command line, under any of its names, wins over every variable. It
// keeps no state of its own.
package flagenv

import (
	"flag"
	"fmt"
	"strings"
)

// Prefix starts every framewire variable.
const Prefix = "FRAMEWIRE_"

// Env says how one command's flags map to variables.
type Env struct {
	// Prefix of the command's own variables, e.g. "FRAMEWIRE_SERVER_".
	Prefix string
	// Shared flags read Prefix's parent variable instead (FRAMEWIRE_TOKEN
	// for both commands).
	Shared []string
	// Aliases maps a second name of a flag to its main name; the alias
	// has no variable, and giving either on the command line wins.
	Aliases map[string]string
}

// Name is the environment variable of flag name under prefix: upper case,
// with '-' and '.' turned into '_'.
func Name(prefix, name string) string {
	return prefix + strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(name))
}

// variable is the variable of flag name, or "" for an alias.
func (e Env) variable(name string) string {
	if _, alias := e.Aliases[name]; alias {
		return ""
	}
	for _, s := range e.Shared {
		if s == name {
			return Name(Prefix, name)
		}
	}
	return Name(e.Prefix, name)
}

// Parse documents each flag's variable in its usage text (so that --help
// shows it), parses args into fs, then sets every flag not given in args
// (under any of its names) whose variable lookup finds. A variable whose
// value the flag refuses is an error naming the variable. lookup is
// os.LookupEnv outside tests.
func Parse(fs *flag.FlagSet, args []string, e Env, lookup func(string) (string, bool)) error {
	fs.VisitAll(func(f *flag.Flag) {
		if v := e.variable(f.Name); v != "" {
			f.Usage += fmt.Sprintf(" [$%s]", v)
		}
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := e.given(fs)
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v := e.variable(f.Name)
		if err != nil || v == "" || given[f.Name] {
			return
		}
		if val, ok := lookup(v); ok {
			if serr := fs.Set(f.Name, val); serr != nil {
				err = fmt.Errorf("%s=%q: %w", v, val, serr)
			}
		}
	})
	return err
}

// given lists the flags set on the command line, an alias counting for
// its main flag.
func (e Env) given(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) {
		given[f.Name] = true
		if main, ok := e.Aliases[f.Name]; ok {
			given[main] = true
		}
	})
	return given
}
