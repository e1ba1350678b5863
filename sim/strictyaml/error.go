package strictyaml

import (
	"fmt"
	"strconv"
)

// Error is a problem with one field of a document.
type Error struct {
	// Path names the field from the document root, e.g.
	// "services[0].load.of[1].rate"; empty for the root itself.
	Path string
	// Line is the 1-based line of the field, or 0 when unknown.
	Line int
	// Msg states the rule that was broken, and what to write instead
	// when that is known.
	Msg string
}

// Error formats e as "line N: path: msg", leaving out what is unknown.
func (e *Error) Error() string {
	s := ""
	if e.Line > 0 {
		s = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Msg
}

// JoinKey returns the path of field key under path.
func JoinKey(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	return path + "." + key
}

// JoinIndex returns the path of element i of the sequence at path.
func JoinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
