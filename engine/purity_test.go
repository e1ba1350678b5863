package engine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEngineIsPure proves the engine and the pure packages under it
// (engine/...) import no I/O or clock library: the same code must run in
// production and in virtual time.
func TestEngineIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"net/http", "os/exec", "net",
		"go.etcd.io/bbolt", "github.com/gambol99/go-marathon",
		"github.com/julienschmidt/httprouter", "github.com/benbjohnson/clock",
		"math/rand", "math/rand/v2",
		"github.com/waiter-go/waiter/adapters", "github.com/waiter-go/waiter/sim",
	}
	deps := strings.Fields(string(out))
	for _, dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("engine depends on %s", dep)
			}
		}
	}
	if len(deps) < 5 {
		t.Fatalf("suspiciously short dependency list: %v", deps)
	}
}

// TestEngineSourceHasNoClockOrGoroutines reads the syntax tree of every
// non-test file of the engine and of the packages under it for what the
// design forbids: goroutines, channels, select, and the time package's
// clock and timer functions however the package is imported.
func TestEngineSourceHasNoClockOrGoroutines(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}} {{end}}`, "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Fields(string(out))
	if len(files) < 10 {
		t.Fatalf("suspiciously few engine files: %v", files)
	}
	for _, pkg := range []string{"/engine/", "/engine/syncer/", "/engine/fallback/"} {
		if !slices.ContainsFunc(files, func(f string) bool {
			return strings.Contains(f, pkg) && !strings.Contains(strings.TrimPrefix(f[strings.Index(f, pkg):], pkg), "/")
		}) {
			t.Errorf("no file of %s checked: %v", pkg, files)
		}
	}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, filepath.Clean(f), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range impurities(fset, file) {
			t.Error(p)
		}
	}
}

// TestImpuritiesAreCaught shows the checker catches each way of writing
// what the engine must not do, and passes what it may.
func TestImpuritiesAreCaught(t *testing.T) {
	bad := map[string]string{
		"goroutine on a method": "package e\nfunc (e *E) f() {}\nfunc g(e *E) { go e.f() }\ntype E struct{}",
		"clock with a space":    "package e\nimport \"time\"\nvar now = time.Now ()",
		"aliased time import":   "package e\nimport clk \"time\"\nfunc f() { clk.Sleep(1) }",
		"dot-imported time":     "package e\nimport . \"time\"\nfunc f() any { return Now() }",
		"function value":        "package e\nimport \"time\"\nvar now = time.Now",
		"timer":                 "package e\nimport \"time\"\nfunc f() { time.AfterFunc(1, nil) }",
		"channel type":          "package e\ntype q struct{ c chan int }",
		"select":                "package e\nfunc f() { select {} }",
	}
	for name, src := range bad {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "x.go", src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := impurities(fset, file); len(got) == 0 {
			t.Errorf("%s: not caught:\n%s", name, src)
		}
	}
	good := "package e\nimport \"time\"\ntype now struct{}\nfunc (now) Now() time.Time { return time.Time{} }\n" +
		"func f(d time.Duration) time.Time { var n now; return n.Now().Add(d) }"
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "ok.go", good, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	if got := impurities(fset, file); len(got) != 0 {
		t.Errorf("pure code flagged: %v", got)
	}
}

// clockFuncs are the time package's functions that read the clock or
// start timers; durations and time arithmetic stay allowed.
var clockFuncs = map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}

// impurities lists every forbidden construct in file, with its position.
func impurities(fset *token.FileSet, file *ast.File) []string {
	timeNames := map[string]bool{} // local names of the time package
	dotTime := false
	for _, imp := range file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path != "time" {
			continue
		}
		switch {
		case imp.Name == nil:
			timeNames["time"] = true
		case imp.Name.Name == ".":
			dotTime = true
		default:
			timeNames[imp.Name.Name] = true
		}
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fset.Position(n.Pos()).String()+": "+what)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n, "goroutine")
		case *ast.ChanType:
			report(n, "channel")
		case *ast.SelectStmt:
			report(n, "select")
		case *ast.SendStmt:
			report(n, "channel send")
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && timeNames[id.Name] && clockFuncs[n.Sel.Name] {
				report(n, id.Name+"."+n.Sel.Name+" reads the clock")
			}
		case *ast.Ident:
			// A dot-imported clock function is a bare identifier; a
			// selector's Sel is an Ident too, so only flag it where the
			// file dot-imports time and no method of that name exists.
			if dotTime && clockFuncs[n.Name] && n.Obj == nil {
				report(n, n.Name+" (dot-imported time) reads the clock")
			}
		}
		return true
	})
	return found
}
