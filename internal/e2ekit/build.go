package e2ekit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// RaceEnv is the environment variable that, set to anything, makes Build
// build the router (cmd/waiter) with the race detector: the suites then
// drive a -race waiter with everything it serves (make test sets it).
// The other programs stay as they are: a -race kitchen takes several
// times the memory, past the limits the suites give their services.
const RaceEnv = "WAITER_E2E_RACE"

// Build runs `go build` for the module's commands cmds (names under
// ./cmd, say "waiter" and "kitchen") into dir and returns their paths, in
// order. Running the built programs, not their code in-process, is the
// point: flags, config files, signals and exit codes are part of what
// the suites test.
func Build(dir string, cmds ...string) ([]string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		// Tests run under `go test`, which puts its own go first in PATH.
		return nil, fmt.Errorf("the go command is not in PATH: %w", err)
	}
	root, err := moduleRoot(goBin)
	if err != nil {
		return nil, err
	}
	// With RaceEnv set, waiter is built on its own with -race and the
	// rest as they are, each once.
	race := os.Getenv(RaceEnv) != "" && slices.Contains(cmds, "waiter")
	out := dir + string(filepath.Separator)
	var plain []string
	for _, c := range cmds {
		if !(race && c == "waiter") {
			plain = append(plain, "./cmd/"+c)
		}
	}
	if len(plain) > 0 {
		if err := goBuild(goBin, root, append([]string{"build", "-o", out}, plain...)); err != nil {
			return nil, err
		}
	}
	if race {
		if err := goBuild(goBin, root, []string{"build", "-race", "-o", out, "./cmd/waiter"}); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(cmds))
	for i, c := range cmds {
		paths[i] = filepath.Join(dir, c)
		if _, err := os.Stat(paths[i]); err != nil {
			return nil, fmt.Errorf("go build did not produce %s: %w", paths[i], err)
		}
	}
	return paths, nil
}

// goBuild runs go with args in the module's folder root.
func goBuild(goBin, root string, args []string) error {
	cmd := exec.Command(goBin, args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return nil
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
