// Command codestats measures the project's non-test, non-generated Go
// code: function lengths (median, p90, max) and lines per package, and
// fails when they pass the limits the project keeps (median <= 9, p90 <= 32,
// no function over 60 lines, no package over 1,000 lines).
//
//	go run ./scripts/codestats [-v] [root]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Limits kept by the project.
const (
	maxMedian     = 9
	maxP90        = 32
	maxFunc       = 60
	maxPackageLoC = 1000
)

// funcLen is one function's length in lines, from its signature to its
// closing brace.
type funcLen struct {
	name  string
	lines int
}

func main() {
	verbose := flag.Bool("v", false, "list the longest functions and every package")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	funcs, pkgs, err := measure(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "codestats:", err)
		os.Exit(1)
	}
	if !report(funcs, pkgs, *verbose) {
		os.Exit(1)
	}
}

// measure parses every non-test, non-generated Go file under root.
func measure(root string) ([]funcLen, map[string]int, error) {
	var funcs []funcLen
	pkgs := map[string]int{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !counted(path) {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		pkgs[filepath.Dir(path)] += fset.Position(f.End()).Line
		funcs = append(funcs, functions(fset, path, f)...)
		return nil
	})
	return funcs, pkgs, err
}

// counted says whether path is Go code the limits apply to.
func counted(path string) bool {
	return strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") &&
		!strings.Contains(path, "/.") && !strings.HasPrefix(path, ".")
}

// functions lists f's function declarations and their lengths.
func functions(fset *token.FileSet, path string, f *ast.File) []funcLen {
	var out []funcLen
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		lines := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
		out = append(out, funcLen{name: fmt.Sprintf("%s:%s", path, fd.Name.Name), lines: lines})
	}
	return out
}

// report prints the figures and says whether they are within the limits.
func report(funcs []funcLen, pkgs map[string]int, verbose bool) bool {
	slices.SortFunc(funcs, func(a, b funcLen) int { return a.lines - b.lines })
	median, p90 := funcs[len(funcs)/2].lines, funcs[len(funcs)*9/10].lines
	longest := funcs[len(funcs)-1]
	fmt.Printf("%d functions: median %d lines, p90 %d, longest %d (%s)\n", len(funcs), median, p90, longest.lines, longest.name)
	ok := median <= maxMedian && p90 <= maxP90 && longest.lines <= maxFunc
	for _, f := range funcs {
		if f.lines > maxFunc || verbose && f.lines > maxP90 {
			fmt.Printf("  %4d  %s\n", f.lines, f.name)
		}
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		if pkgs[p] > maxPackageLoC || verbose {
			fmt.Printf("  package %s: %d lines\n", p, pkgs[p])
		}
		ok = ok && pkgs[p] <= maxPackageLoC
	}
	if !ok {
		fmt.Printf("over the limits: median <= %d, p90 <= %d, no function over %d lines, no package over %d lines\n", maxMedian, maxP90, maxFunc, maxPackageLoC)
	}
	return ok
}
