package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// newFlagSet is a sub-command's flag set: errors come back instead of
// exiting, usage and errors go to stderr, and flags end at the first
// argument that is not one.
func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SetInterspersed(false)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of %s:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. A bad flag is reported with the usage;
// --help prints the usage and returns pflag.ErrHelp.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	err := fs.Parse(goStyle(fs, args))
	if err != nil && !errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
	}
	return err
}

// goStyle spells the Go-style flags merchant-demo and bench took before
// they used pflag (-addr x, -key=k, --h, -help) as pflag reads them
// (--addr x, --key=k, --help), so no script that ran them breaks; an unknown
// -name is reported as --name. Values and everything after the flags stay
// as they are.
func goStyle(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			return append(out, args[i:]...)
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		switch {
		case f == nil && (name == "h" || name == "help"):
			a = "--help"
		case len(name) > 1 && !strings.HasPrefix(a, "--"):
			a = "-" + a // these flag sets have no one-letter flags
		}
		out = append(out, a)
		if f != nil && !hasValue && f.NoOptDefVal == "" && i+1 < len(args) {
			i++
			out = append(out, args[i]) // the flag's value, even one starting with "-"
		}
	}
	return out
}
