package rng

import (
	"errors"
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML decodes a Dist strictly: either a bare number, which means a
// constant, or a mapping with kind and exactly the fields that kind allows.
//
//	service_time: 0.25
//	service_time: {kind: lognormal, median: 0.1, sigma: 0.6}
//
// Errors name the line, the field and the rule broken.
func (d *Dist) UnmarshalYAML(node *yaml.Node) error {
	if err := d.decode(node); err != nil {
		return fmt.Errorf("rng: line %d: %w", node.Line, err)
	}
	return nil
}

func (d *Dist) decode(node *yaml.Node) error {
	switch node.Kind {
	case yaml.ScalarNode:
		v, err := decodeFloat(node)
		if err != nil {
			return fmt.Errorf("dist: a bare value must be a number (a constant), or use a mapping with kind: %w", err)
		}
		out := Dist{Kind: Constant, Value: v}
		if err := out.check(); err != nil {
			return err
		}
		*d = out
		return nil
	case yaml.MappingNode:
	default:
		return errors.New("dist: must be a number or a mapping with kind")
	}

	var out Dist
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "kind" {
			out.Kind = DistKind(node.Content[i+1].Value)
		}
	}
	allowed, ok := distFields[out.Kind]
	if !ok {
		// Validate words the missing / unknown kind error.
		return out.check()
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i].Value, node.Content[i+1]
		if key == "kind" {
			continue
		}
		if !contains(allowed, key) {
			return fmt.Errorf("dist %s: unknown field %q at line %d (allowed: %s)", out.Kind, key, node.Content[i].Line, joinFields(allowed))
		}
		v, err := decodeFloat(val)
		if err != nil {
			return fmt.Errorf("dist %s: field %q: %w", out.Kind, key, err)
		}
		switch key {
		case "value":
			out.Value = v
		case "min":
			out.Min = v
		case "max":
			out.Max = v
		case "mean":
			out.Mean = v
		case "stddev":
			out.Stddev = v
		case "median":
			out.Median = v
		case "sigma":
			out.Sigma = v
		}
	}
	if err := out.check(); err != nil {
		return err
	}
	*d = out
	return nil
}

// MarshalYAML writes d in the mapping form UnmarshalYAML reads, with only the
// fields its kind uses.
func (d Dist) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	add := func(k string, v *yaml.Node) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	add("kind", &yaml.Node{Kind: yaml.ScalarNode, Value: string(d.Kind)})
	for _, f := range distFields[d.Kind] {
		v := d.field(f)
		if v == 0 && d.Kind == LogNormal && f != "sigma" {
			continue
		}
		var vn yaml.Node
		if err := vn.Encode(v); err != nil {
			return nil, err
		}
		add(f, &vn)
	}
	return n, nil
}

func decodeFloat(n *yaml.Node) (float64, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("line %d: want a number", n.Line)
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		return 0, fmt.Errorf("line %d: want a number, got %q", n.Line, n.Value)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("line %d: want a finite number, got %q", n.Line, n.Value)
	}
	return v, nil
}
