package serve

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/clikit"
)

// logFlags are the configuration's log settings as the shared flags.
func logFlags(cfg config.Config) clikit.LogFlags {
	return clikit.LogFlags{LogFormat: cfg.LogFormat, LogLevel: cfg.LogLevel}
}

// openAccessLog opens the access log the configuration names: nil when
// there is none. Entries are info-level records in the log format, so a
// --log-level above info does not silence it. The returned func closes
// what was opened.
func openAccessLog(cfg config.Config) (*slog.Logger, func(), error) {
	var w io.Writer
	closeIt := func() {}
	switch cfg.AccessLog {
	case "":
		return nil, closeIt, nil
	case "stderr", "-":
		w = os.Stderr
	case "stdout":
		w = os.Stdout
	default:
		if err := os.MkdirAll(filepath.Dir(cfg.AccessLog), 0o750); err != nil {
			return nil, nil, fmt.Errorf("access log: %w", err)
		}
		f, err := os.OpenFile(cfg.AccessLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("access log: %w", err)
		}
		w, closeIt = f, func() { _ = f.Close() }
	}
	lf := logFlags(cfg)
	lf.LogLevel = "info"
	return lf.Logger(w), closeIt, nil
}
