package kitchen

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// openLog opens the --log-output destination. "file" writes
// $MESOS_SANDBOX/kitchen.log (the current folder without a sandbox), where
// Mesos-era tooling looked for it. The returned func closes what was opened.
func openLog(output string, getenv func(string) string) (io.Writer, func(), error) {
	switch output {
	case "", "stdout":
		return os.Stdout, func() {}, nil
	case "stderr":
		return os.Stderr, func() {}, nil
	case "file":
		dir := getenv("MESOS_SANDBOX")
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, "kitchen.log")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("kitchen: open log: %w", err)
		}
		return f, func() { _ = f.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("kitchen: log output %q: must be stdout, stderr or file", output)
	}
}
