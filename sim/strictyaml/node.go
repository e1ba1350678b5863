package strictyaml

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Node is a YAML node (aliases already followed) with its field path from
// the document root.
type Node struct {
	*yaml.Node
	Path string
	// keyLine is the line of the key this node is the value of (0 for a
	// list element or the root): a block mapping's value starts on the
	// line below its key, but the field is where its key is.
	keyLine int
}

// at returns the node n stands for, following aliases.
func at(n *yaml.Node, path string) Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return Node{Node: n, Path: path}
}

// FieldLine is the line of the field n is: its key's line, or the node's
// own for a list element.
func (n Node) FieldLine() int {
	if n.keyLine > 0 {
		return n.keyLine
	}
	return n.Line
}

// Errorf returns an *Error at n.
func (n Node) Errorf(format string, args ...any) *Error {
	return &Error{Path: n.Path, Line: n.FieldLine(), Msg: fmt.Sprintf(format, args...)}
}

// ErrorAt returns an *Error at the field rel under n (a relative path
// such as "of[1].rate"), with the line of that field, or of the nearest
// enclosing one that is written when rel is absent (a missing field).
func (n Node) ErrorAt(rel, format string, args ...any) *Error {
	path := n.Path
	switch {
	case rel == "":
	case path == "" || strings.HasPrefix(rel, "["):
		path += rel
	default:
		path += "." + rel
	}
	return &Error{Path: path, Line: n.Locate(rel).FieldLine(), Msg: fmt.Sprintf(format, args...)}
}

// IsNull reports whether n is an explicit null (`~`, `null` or nothing).
func (n Node) IsNull() bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Get returns the value of key in the mapping n, with its path.
func (n Node) Get(key string) (Node, bool) {
	pairs, err := n.pairs()
	if err != nil {
		return Node{}, false
	}
	for _, p := range pairs {
		if p.key.Value == key {
			return p.value, true
		}
	}
	return Node{}, false
}

// Locate returns the node at rel, a path relative to n written the way
// Error.Path is ("of[1].rate"), or the deepest node on the way that
// exists; it is how a check made after decoding finds its line.
func (n Node) Locate(rel string) Node {
	cur := n
	if rel == "" {
		return cur
	}
	for _, part := range strings.Split(rel, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			next, ok := cur.Get(name)
			if !ok {
				return cur
			}
			cur = next
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(idx)
			if !ok || err != nil || cur.Kind != yaml.SequenceNode || i < 0 || i >= len(cur.Content) {
				return cur
			}
			cur = at(cur.Content[i], JoinIndex(cur.Path, i))
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return cur
}

// pair is one key of a mapping with its value.
type pair struct {
	key   *yaml.Node
	value Node
}

// pairs returns the keys of the mapping n in order, with YAML merge keys
// (<<: *base) expanded: merged keys come first and keys written in n
// override them. A key written twice in n is an error.
func (n Node) pairs() ([]pair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, n.Errorf("want a mapping (key: value lines), got %s", describe(n.Node))
	}
	var merged, own []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, &Error{Path: n.Path, Line: k.Line, Msg: "a key must be a plain name, got " + describe(k)}
		}
		if k.ShortTag() == "!!merge" {
			m, err := mergePairs(at(v, n.Path)) // merged keys belong to n's path
			if err != nil {
				return nil, err
			}
			merged = append(merged, m...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			return nil, &Error{Path: JoinKey(n.Path, k.Value), Line: k.Line,
				Msg: fmt.Sprintf("written twice (lines %d and %d)", first, k.Line)}
		}
		seen[k.Value] = k.Line
		value := at(v, JoinKey(n.Path, k.Value))
		value.keyLine = k.Line
		own = append(own, pair{key: k, value: value})
	}
	var out []pair
	for _, p := range merged {
		if _, overridden := seen[p.key.Value]; !overridden {
			seen[p.key.Value] = p.key.Line
			out = append(out, p)
		}
	}
	return append(out, own...), nil
}

// mergePairs returns the pairs a merge key brings in: those of one mapping,
// or of each mapping in a sequence (earlier ones win).
func mergePairs(v Node) ([]pair, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return v.pairs() // v carries the path of the mapping it merges into
	case yaml.SequenceNode:
		var out []pair
		seen := map[string]bool{}
		for _, c := range v.Content {
			ps, err := mergePairs(at(c, v.Path))
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if !seen[p.key.Value] {
					seen[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
		return out, nil
	}
	return nil, v.Errorf("<< merges a mapping or a list of mappings, got %s", describe(v.Node))
}

// describe names what a node is, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "a YAML node of kind " + strconv.Itoa(int(n.Kind))
}
