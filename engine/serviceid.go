package engine

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// DefaultServicePrefix is Waiter's cluster-config service-prefix.
const DefaultServicePrefix = "waiter-service-"

// ServiceID computes Waiter's service id from the user-provided parameters:
// prefix + lowercase(name) with [^a-z0-9] removed + "-" (only when a name is
// given) + MD5 over the sorted parameters (name then canonical value).
// Defaults are not hashed, so sending a default value explicitly yields a
// different service, as in Waiter.
func ServiceID(prefix string, core Params) string { return ServiceIDInOrder(prefix, core, nil) }

// ServiceIDInOrder is ServiceID with the insertion order of env and
// metadata keys (KeyOrder), which Waiter's (str m) prints for maps of up to
// 8 entries.
func ServiceIDInOrder(prefix string, core Params, order KeyOrder) string {
	if prefix == "" {
		prefix = DefaultServicePrefix
	}
	h := md5.New()
	for _, k := range core.Keys() {
		if !IsServiceParam(k) {
			continue
		}
		h.Write([]byte(k))
		h.Write([]byte(canonicalOrdered(core[k], order[k])))
	}
	var b strings.Builder
	b.WriteString(prefix)
	if name, ok := core["name"].(string); ok && name != "" {
		if s := sanitizeName(name); s != "" {
			b.WriteString(s)
			b.WriteByte('-')
		}
	}
	b.WriteString(hex.EncodeToString(h.Sum(nil)))
	return b.String()
}

func sanitizeName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ParamsKey renders p canonically (sorted keys, canonical values) for use
// as a cache key: equal parameters give equal keys.
func ParamsKey(p Params) string {
	var b strings.Builder
	for _, k := range p.Keys() {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(canonicalString(p[k]))
		b.WriteByte('\n')
	}
	return b.String()
}
