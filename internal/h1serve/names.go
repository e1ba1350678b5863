package h1serve

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// canonicalName is http.CanonicalHeaderKey(name) without an allocation
// for a name that comes canonical (a substring of the head, as net/http's
// parser gives it) or that came before in another case: clients that send
// names in lower case (HTTP/2-minded ones, curl -H as typed) send the
// same few names again and again.
func canonicalName(name string) string { return names.canonical(name) }

// names holds the canonical forms of the names parsed heads sent in
// another case.
var names nameTable

// nameTable interns canonical header names, up to maxInterned of them,
// each at most maxInternedLen bytes long: an interned name is a string of
// its own, so it keeps no head alive, and a client sending ever new names
// fills the table once (at most 128 KB with both forms) and then pays
// net/http's allocation as before. The zero value is empty and ready.
type nameTable struct {
	m sync.Map // name as sent -> canonical name
	n atomic.Int64
}

// maxInterned and maxInternedLen bound a nameTable.
const (
	maxInterned    = 1024
	maxInternedLen = 64
)

func (t *nameTable) canonical(name string) string {
	if isCanonical(name) {
		return name
	}
	if c, ok := t.m.Load(name); ok {
		return c.(string)
	}
	c := http.CanonicalHeaderKey(name)
	if len(name) <= maxInternedLen && t.n.Load() < maxInterned {
		if _, loaded := t.m.LoadOrStore(strings.Clone(name), c); !loaded {
			t.n.Add(1)
		}
	}
	return c
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
