package scenario

import "go.yaml.in/yaml/v3"

// maxNodes bounds a scenario's size in YAML nodes, counting an alias as
// the whole subtree it names. The bundled scenarios have a few hundred;
// the bound exists because yaml.v3's own guard against alias bombs does
// not reach the load specs, which decode their subtrees themselves (one
// fresh decoder per level), so twelve lines of nested aliases otherwise
// take minutes and gigabytes to decode.
const maxNodes = 100_000

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
