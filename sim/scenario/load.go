package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Error is a problem in a scenario file, with the line of the field at fault.
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
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	if len(root.Content) == 0 {
		return nil, &Error{File: name, Msg: "empty scenario file"}
	}
	if expandedSize(&root, maxNodes) > maxNodes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("too large: more than %d YAML nodes once aliases are expanded", maxNodes)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var sc Scenario
	if err := dec.Decode(&sc); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	if err := validate(name, &sc, root.Content[0]); err != nil {
		return nil, err
	}
	return &sc, nil
}

// locate returns the line of the node at path (string keys, int indices)
// under n, or of the deepest ancestor found.
func locate(n *yaml.Node, path ...any) int {
	line := n.Line
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					n = n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		}
	}
	return line
}
