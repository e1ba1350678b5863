package waiter_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/waiter-go/waiter"

// listDeps returns, per package matched by pattern, the packages it
// depends on: this module's only, or all when all is set.
func listDeps(t *testing.T, pattern string, all bool) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		deps[p.ImportPath] = nil
		for _, d := range p.Deps {
			if all || d == module || strings.HasPrefix(d, module+"/") {
				deps[p.ImportPath] = append(deps[p.ImportPath], d)
			}
		}
	}
	if len(deps) == 0 {
		t.Fatalf("go list %s matched nothing", pattern)
	}
	return deps
}

// TestDomainImportsOnlyTheEngine: the domain package names things every
// adapter and driver shares, so it may depend on nothing of this module
// but the engine and what the engine itself depends on (a leaf such as
// internal/prefetch), or it would drag an adapter into all of them.
func TestDomainImportsOnlyTheEngine(t *testing.T) {
	allowed := map[string]bool{module + "/engine": true}
	for _, d := range listDeps(t, "./engine", false)[module+"/engine"] {
		allowed[d] = true
	}
	for pkg, deps := range listDeps(t, ".", false) {
		for _, d := range deps {
			if !allowed[d] {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
}

// TestAdaptersMeetOnlyInTheWiring: an adapter imports no other adapter and
// the driver imports none, because both speak the domain's types
// (Standard Package Layout); only cmd/waiter's wiring joins them.
func TestAdaptersMeetOnlyInTheWiring(t *testing.T) {
	owner := func(pkg string) string { // adapters/<name>
		rest, ok := strings.CutPrefix(pkg, module+"/adapters/")
		if !ok {
			return ""
		}
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	for pattern, mayImport := range map[string]func(pkg, dep string) bool{
		"./adapters/...": func(pkg, dep string) bool { return owner(dep) == "" || owner(dep) == owner(pkg) },
		"./cmd/waiter/internal/router": func(_, dep string) bool {
			return owner(dep) == ""
		},
	} {
		for pkg, deps := range listDeps(t, pattern, false) {
			for _, d := range deps {
				if !mayImport(pkg, d) {
					t.Errorf("%s depends on %s", pkg, d)
				}
				if strings.HasPrefix(d, module+"/cmd/") && !strings.HasPrefix(pkg, module+"/cmd/") {
					t.Errorf("%s depends on the command package %s", pkg, d)
				}
			}
		}
	}
}

// TestSimIsVirtualTimeOnly: no package under sim/ can listen, start a
// process or read a real clock through a library. What serves the
// Marathon model in real time is internal/fakemarathon, and a simulator
// run stays a pure function of its scenario and seed.
func TestSimIsVirtualTimeOnly(t *testing.T) {
	// Standard packages by exact path (net/url and net/netip only parse
	// text); modules and this module's folders with all below them.
	stdlib := map[string]bool{"net": true, "net/http": true, "os/exec": true, "os/signal": true}
	forbidden := []string{
		"github.com/benbjohnson/clock", "github.com/gambol99/go-marathon",
		module + "/adapters", module + "/cmd",
		module + "/internal/fakemarathon", module + "/internal/localproc", module + "/internal/procgroup",
	}
	for pkg, deps := range listDeps(t, "./sim/...", true) {
		for _, d := range deps {
			if stdlib[d] {
				t.Errorf("%s depends on %s", pkg, d)
			}
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
}
