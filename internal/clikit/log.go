package clikit

import (
	"io"
	"log/slog"
)

// LogFlags are --log-format and --log-level; embed them in a command with
// `embed:""` and build its logger with Logger.
type LogFlags struct {
	LogFormat string `name:"log-format" enum:"text,json" default:"text" help:"Log format: text (key=value) or json (one object a line)."`
	LogLevel  string `name:"log-level" enum:"debug,info,warn,error" default:"${log_level=info}" help:"Lowest level logged: debug, info, warn or error."`
}

// Logger writes to w in the chosen format from the chosen level up.
func (f LogFlags) Logger(w io.Writer) *slog.Logger {
	return slog.New(f.Handler(w))
}

// Handler is Logger's handler, for callers that wrap it.
func (f LogFlags) Handler(w io.Writer) slog.Handler {
	opts := &slog.HandlerOptions{Level: f.Level()}
	if f.LogFormat == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// Level is the chosen level; an unset flag (a struct built without
// kong) means info.
func (f LogFlags) Level() slog.Level {
	switch f.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
