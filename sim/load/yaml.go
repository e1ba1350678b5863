package load

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML decodes a spec strictly: kind picks the process, every other
// key must be one of that kind's fields, and the values must pass Validate.
// Errors are *SpecError values carrying the YAML line of the offending field,
// or yaml.v3 type errors (which carry their own line).
func (s *Spec) UnmarshalYAML(node *yaml.Node) error {
	node = resolve(node)
	if node.Kind != yaml.MappingNode {
		return &SpecError{Line: node.Line, Field: "kind", Msg: "a load must be a mapping with a kind (one of " + kindList() + ")"}
	}
	kindNode := valueOf(node, "kind")
	if kindNode == nil {
		return &SpecError{Line: node.Line, Field: "kind", Msg: "is required (one of " + kindList() + ")"}
	}
	var out Spec
	var target any
	switch kindNode.Value {
	case "constant":
		out.Constant = new(ConstantSpec)
		target = out.Constant
	case "ramp":
		out.Ramp = new(RampSpec)
		target = out.Ramp
	case "step":
		out.Step = new(StepSpec)
		target = out.Step
	case "diurnal":
		out.Diurnal = new(DiurnalSpec)
		target = out.Diurnal
	case "bursty":
		out.Bursty = new(BurstySpec)
		target = out.Bursty
	case "sum":
		out.Sum = new(SumSpec)
		target = out.Sum
	case "window":
		out.Window = new(WindowSpec)
		target = out.Window
	case "gaps":
		out.Gaps = new(GapsSpec)
		target = out.Gaps
	default:
		return &SpecError{Line: kindNode.Line, Field: "kind", Msg: fmt.Sprintf("unknown kind %q (one of %s)", kindNode.Value, kindList())}
	}
	if err := decodeStrict(node, target, kindNode.Value, "kind"); err != nil {
		return err
	}
	if err := out.Validate(); err != nil {
		return withLine(err, node)
	}
	*s = out
	return nil
}

// decodeStrict decodes node into out (a pointer to a struct) after checking
// that every mapping key, at every depth that has no UnmarshalYAML of its own,
// names a field. yaml.v3's own strict mode (KnownFields) does not reach into
// values decoded by a custom unmarshaler, so nested specs need this.
func decodeStrict(node *yaml.Node, out any, what string, extra ...string) error {
	if err := checkKeys(node, reflect.TypeOf(out).Elem(), what, extra); err != nil {
		return err
	}
	if err := node.Decode(out); err != nil {
		return fmt.Errorf("load: %s: %w", what, err)
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func checkKeys(node *yaml.Node, t reflect.Type, what string, extra []string) error {
	node = resolve(node)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // it checks itself
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return nil // node.Decode reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := node.Content[i]
			ft, ok := fields[key.Value]
			if !ok {
				if slices.Contains(extra, key.Value) {
					continue
				}
				return &SpecError{Line: key.Line, Field: key.Value,
					Msg: fmt.Sprintf("unknown field for %s (allowed: %s)", what, strings.Join(append(slices.Clone(extra), names...), ", "))}
			}
			if err := checkKeys(node.Content[i+1], ft, what+"."+key.Value, nil); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if node.Kind != yaml.SequenceNode {
			return nil
		}
		for _, el := range node.Content {
			if err := checkKeys(el, t.Elem(), what, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// withLine fills in a SpecError's line from the field path it names, walking
// node the way the path does ("of[1].rate": key of, element 1, key rate).
func withLine(err error, node *yaml.Node) error {
	var se *SpecError
	if !errors.As(err, &se) || se.Line != 0 {
		return err
	}
	line := node.Line
	n := node
	for _, part := range strings.Split(se.Field, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		key := keyOf(resolve(n), name)
		if key == nil {
			break
		}
		line = key.Line
		n = resolve(valueOf(resolve(n), name))
		if hasIdx {
			i, convErr := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if convErr != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				break
			}
			n = resolve(n.Content[i])
			line = n.Line
		}
	}
	return &SpecError{Line: line, Field: se.Field, Msg: se.Msg}
}

func keyOf(node *yaml.Node, key string) *yaml.Node {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i]
		}
	}
	return nil
}

func valueOf(node *yaml.Node, key string) *yaml.Node {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i+1]
		}
	}
	return nil
}

// resolve follows YAML aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
