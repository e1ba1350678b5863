package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
)

// file is one output file, rendered in memory first so a rendering error
// never leaves half a report on disk.
type file struct {
	name string
	data []byte
}

// render runs a writer into a file.
func render(name string, write func(io.Writer) error) (file, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return file{}, err
	}
	return file{name: name, data: b.Bytes()}, nil
}

// runFileNames are the files of one run's report, in reports/<name>/.
var runFileNames = []string{"report.json", "report.md", "report.html"}

// runFiles renders one run's report.json, report.md and report.html.
func runFiles(rep *sim.Report) ([]file, error) {
	writers := []func(io.Writer, *sim.Report) error{report.WriteJSON, report.WriteMarkdown, report.WriteHTML}
	out := make([]file, len(writers))
	for i, w := range writers {
		f, err := render(runFileNames[i], func(iw io.Writer) error { return w(iw, rep) })
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// writeFiles writes files into dir, creating it, and returns the names of
// the files it changed. A file whose bytes are unchanged is left alone, so
// regenerating reports touches nothing that did not change.
func writeFiles(dir string, files ...file) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var changed []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.data) {
			continue
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		changed = append(changed, f.name)
	}
	return changed, nil
}

// unsafeName matches what may not go into a folder name taken from a
// parameter value or a scenario name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// dirName makes s safe as one path element.
func dirName(s string) string {
	s = unsafeName.ReplaceAllString(s, "_")
	if s == "" || s == "." || s == ".." {
		s = "_"
	}
	return s
}
