package waiterhttp

import (
	"bytes"
	"encoding/json"
	"slices"
)

// orderedObject renders a token's env or metadata with its keys in the
// order they were posted (waiter.Token.KeyOrder), as Waiter returns a
// token: a client that reads a token and posts it back keeps the order,
// and so the service id (engine.KeyOrder).
type orderedObject struct {
	keys []string
	m    map[string]any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.m[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// inKeyOrder returns body with its env and metadata objects rendered in
// order (keys order does not name come after, sorted).
func inKeyOrder(body map[string]any, order map[string][]string) map[string]any {
	for _, k := range []string{"env", "metadata"} {
		m, ok := body[k].(map[string]any)
		if !ok || len(order[k]) == 0 {
			continue
		}
		keys := make([]string, 0, len(m))
		for _, name := range order[k] {
			if _, ok := m[name]; ok && !slices.Contains(keys, name) {
				keys = append(keys, name)
			}
		}
		var rest []string
		for name := range m {
			if !slices.Contains(keys, name) {
				rest = append(rest, name)
			}
		}
		slices.Sort(rest)
		body[k] = orderedObject{keys: append(keys, rest...), m: m}
	}
	return body
}
