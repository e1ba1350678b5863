package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/waiter-go/waiter/sim/strictyaml"
)

// Error is a problem in a scenario file: the field at fault, by its path
// from the top of the file (services[0].startup), and its line.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s: line %d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Load reads and validates a scenario file. Relative paths inside it (a
// trace file) are resolved against the file's folder.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if sc.Trace != nil && sc.Trace.Replay.Path != "" && !filepath.IsAbs(sc.Trace.Replay.Path) {
		sc.Trace.Replay.Path = filepath.Join(filepath.Dir(path), sc.Trace.Replay.Path)
	}
	return sc, nil
}

// Parse decodes and validates scenario YAML; name is used in messages.
func Parse(name string, data []byte) (*Scenario, error) {
	root, err := strictyaml.Parse(data)
	if err != nil {
		return nil, inFile(name, err)
	}
	var sc Scenario
	if err := strictyaml.Decode(root, &sc); err != nil {
		return nil, inFile(name, err)
	}
	if err := validate(&sc, root); err != nil {
		return nil, inFile(name, err)
	}
	return &sc, nil
}

// inFile turns a decoding or validation error into an *Error of file.
func inFile(file string, err error) *Error {
	var se *strictyaml.Error
	if errors.As(err, &se) {
		return &Error{File: file, Line: se.Line, Field: se.Path, Msg: se.Msg}
	}
	return &Error{File: file, Msg: err.Error()}
}
