package strictyaml

import (
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// MaxNodes bounds a document's size in YAML nodes, counting an alias as
// the whole subtree it names, so that a few lines of nested aliases (an
// "alias bomb") are refused before decoding walks them.
const MaxNodes = 100_000

// syntaxLine matches the line yaml.v3 puts into its syntax errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses data into the root node of its first document. Syntax
// errors, an empty document and one past MaxNodes are *Error values.
func Parse(data []byte) (Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return Node{}, &Error{Line: line, Msg: "not valid YAML: " + m[2]}
		}
		return Node{}, &Error{Msg: "not valid YAML: " + err.Error()}
	}
	if len(doc.Content) == 0 {
		return Node{}, &Error{Msg: "empty document"}
	}
	if expandedSize(&doc, MaxNodes) > MaxNodes {
		return Node{}, &Error{Msg: fmt.Sprintf("too large: more than %d YAML nodes once aliases are expanded", MaxNodes)}
	}
	return at(doc.Content[0], ""), nil
}

// Unmarshal parses data and decodes it into out (a non-nil pointer).
func Unmarshal(data []byte, out any) error {
	n, err := Parse(data)
	if err != nil {
		return err
	}
	return Decode(n, out)
}

// expandedSize counts the nodes under n with aliases expanded, stopping
// as soon as the count passes limit (so the walk itself stays bounded,
// even for an alias cycle).
func expandedSize(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || count > limit {
			return
		}
		count++
		if n.Kind == yaml.AliasNode {
			walk(n.Alias)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}
