package headername

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Canonical is http.CanonicalHeaderKey(name): name itself when it is
// canonical already (no copy: a substring of its head stays one), else
// the interned canonical form.
func Canonical(name string) string { return names.canonical(name) }

// CanonicalBytes is http.CanonicalHeaderKey(string(name)), interned.
func CanonicalBytes(name []byte) string { return names.canonicalBytes(name) }

// names is the process's table.
var names table

// table interns canonical names, up to maxInterned of them, each at most
// maxInternedLen bytes long (at most 128 KB with both forms). Readers
// take the current map without a lock, and a lookup by bytes does not
// allocate (m[string(b)]); an addition, rare by the bound, copies the
// map under mu. The zero value is empty and ready.
type table struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string]interned] // name as sent -> its forms
}

// interned is one name of a table: the name as sent, a string of the
// table's own, and its canonical form.
type interned struct{ sent, canon string }

// maxInterned and maxInternedLen bound a table.
const (
	maxInterned    = 1024
	maxInternedLen = 64
)

func (t *table) canonical(name string) string {
	if isCanonical(name) {
		return name
	}
	return t.lookup(name).canon
}

// lookup is name's forms, interned when it was not and there is room: a
// name not canonical as sent. Its sent is a string of its own either way.
func (t *table) lookup(name string) interned {
	if m := t.m.Load(); m != nil {
		if v, ok := (*m)[name]; ok {
			return v
		}
	}
	v := interned{sent: strings.Clone(name), canon: http.CanonicalHeaderKey(name)}
	t.add(v.sent, v.canon)
	return v
}

func (t *table) canonicalBytes(name []byte) string {
	if m := t.m.Load(); m != nil {
		if v, ok := (*m)[string(name)]; ok {
			return v.canon
		}
	}
	sent := string(name)
	c := http.CanonicalHeaderKey(sent) // sent itself when canonical
	t.add(sent, c)
	return c
}

// add interns name's canonical form c, unless the table is full or name
// too long; name must be a string of its own.
func (t *table) add(name, c string) {
	if len(name) > maxInternedLen {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var next map[string]interned
	if old := t.m.Load(); old != nil {
		if _, ok := (*old)[name]; ok || len(*old) >= maxInterned {
			return
		}
		next = make(map[string]interned, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
	} else {
		next = make(map[string]interned, 1)
	}
	next[name] = interned{name, c}
	t.m.Store(&next)
}

// len is how many names the table holds.
func (t *table) len() int {
	if m := t.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}

// isCanonical: letters, digits and hyphens only, each letter upper case
// first and after a hyphen and lower case elsewhere; such a name is its
// own canonical form. (Any other name goes to net/http's rule.)
func isCanonical(k string) bool {
	upper := true
	for i := range len(k) {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				return false
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				return false
			}
		case '0' <= c && c <= '9', c == '-':
		default:
			return false
		}
		upper = c == '-'
	}
	return true
}
