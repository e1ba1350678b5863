package clikit

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Commit is the VCS commit when the build information has none: the Go
// tool does not stamp builds from a git worktree or with
// -buildvcs=false, so `make build` sets it with
// -ldflags "-X github.com/waiter-go/waiter/internal/clikit.Commit=$(git rev-parse HEAD)".
var Commit string

// Version describes the running binary for --version: its module version
// and the VCS commit it was built from, as the Go tool recorded them.
func Version(name string) string {
	info, _ := debug.ReadBuildInfo()
	return FormatVersion(name, info)
}

// FormatVersion renders build information as one line:
//
//	waiter v1.2.3 (commit 1a2b3c4d5e6f, 2025-01-02T03:04:05Z, modified) go1.26.0
//
// A build from a source tree has no module version ("(devel)" to the Go
// tool), shown as "devel"; a build without VCS stamping (go test, go run,
// or -buildvcs=false) says "commit unknown" rather than inventing one.
func FormatVersion(name string, info *debug.BuildInfo) string {
	if info == nil {
		return name + " devel (no build information)"
	}
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = "devel"
	}
	var commit, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit == "" {
		commit = Commit
	}
	var vcs []string
	if commit == "" {
		vcs = append(vcs, "commit unknown")
	} else {
		vcs = append(vcs, "commit "+commit[:min(len(commit), 12)])
	}
	if when != "" {
		vcs = append(vcs, when)
	}
	if modified {
		vcs = append(vcs, "modified")
	}
	return fmt.Sprintf("%s %s (%s) %s", name, version, strings.Join(vcs, ", "), info.GoVersion)
}
