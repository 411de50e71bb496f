package e2e

// The README is the newcomer's contract: these checks keep the parts of it
// that drift with the code (sub-commands, the Go version) true.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runSource holds the sub-command switch of `paygate` (Program.Run).
const runSource = "../app/cmd/cmd.go"

// subCommands are the words Program.Run dispatches on, read from its source
// so a new sub-command cannot be added without this test seeing it.
func subCommands(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(runSource)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range regexp.MustCompile(`(?:case |args\[0\] == )"([a-z][a-z-]+)"`).FindAllStringSubmatch(string(src), -1) {
		if name := m[1]; !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	if len(out) < 5 {
		t.Fatalf("found only %v as sub-commands in %s: the pattern no longer fits", out, runSource)
	}
	return out
}

func TestHelpAndReadmeListEverySubCommand(t *testing.T) {
	help, err := exec.Command(binPath, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("paygate --help: %v\n%s", err, help)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile("`paygate --help` lists every sub-command \\(([^)]*)\\)").FindSubmatch(readme)
	if listed == nil {
		t.Fatal("README no longer says which sub-commands `paygate --help` lists")
	}
	for _, name := range subCommands(t) {
		if !strings.Contains(string(help), "paygate "+name) {
			t.Errorf("paygate --help does not describe the sub-command %q", name)
		}
		if !strings.Contains(string(listed[1]), "`"+name+"`") {
			t.Errorf("README's list of sub-commands (%s) lacks %q", listed[1], name)
		}
	}
}

func TestReadmeNamesTheGoVersionOfGoMod(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+(?:\.\d+)?)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Needs Go " + string(m[1]) + " or newer"; !strings.Contains(string(readme), want) {
		t.Errorf("README must say %q (go.mod's go directive)", want)
	}
}

// TestReadmeCodeMapNamesExist keeps README's "Code map" true: every
// function it names is declared somewhere under app/.
func TestReadmeCodeMapNamesExist(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "## Code map")
	if start < 0 {
		t.Fatal("README has no Code map section")
	}
	section := string(readme[start:])
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	declared := map[string]bool{}
	fset := token.NewFileSet()
	err = filepath.WalkDir("../app", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok {
				declared[fn.Name.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`([A-Z][A-Za-z]+)`").FindAllStringSubmatch(section, -1)
	if len(names) < 30 {
		t.Fatalf("found only %d names in the Code map: the pattern no longer fits", len(names))
	}
	for _, m := range names {
		if !declared[m[1]] {
			t.Errorf("README's Code map names %s, which no function under app/ declares", m[1])
		}
	}
}
