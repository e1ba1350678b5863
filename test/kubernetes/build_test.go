package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the absolute paths of the programs under test.
type binaries struct {
	waiter  string
	kitchen string
}

// buildBinaries runs `go build` for waiter and kitchen into dir. Running
// the built programs, not their code in-process, is the point: flags,
// config files, signals and exit codes are part of what is tested.
func buildBinaries(dir string) (binaries, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		// Tests run under `go test`, which puts its own go first in PATH.
		return binaries{}, fmt.Errorf("the go command is not in PATH: %w", err)
	}
	root, err := moduleRoot(goBin)
	if err != nil {
		return binaries{}, err
	}
	cmd := exec.Command(goBin, "build", "-o", dir+string(filepath.Separator),
		"./cmd/waiter", "./cmd/kitchen")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return binaries{}, fmt.Errorf("go build: %v\n%s", err, out.String())
	}
	b := binaries{
		waiter:  filepath.Join(dir, "waiter"),
		kitchen: filepath.Join(dir, "kitchen"),
	}
	for _, p := range []string{b.waiter, b.kitchen} {
		if _, err := os.Stat(p); err != nil {
			return binaries{}, fmt.Errorf("go build did not produce %s: %w", p, err)
		}
	}
	return b, nil
}

// moduleRoot is the folder of go.mod, wherever `go test` runs from.
func moduleRoot(goBin string) (string, error) {
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(gomod), nil
}
