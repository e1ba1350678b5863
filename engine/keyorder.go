package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// KeyOrder holds, for the map parameters "env" and "metadata" (and, in
// HeaderParams, "param"), their keys in the order Waiter's Clojure map
// holds them. Go maps keep no order, but Waiter hashes (str m), and a
// Clojure map of up to 8 entries (PersistentArrayMap) prints in insertion
// order, so the order is part of the service id. Where it comes from:
//
//   - a token: the order of the object's keys in the JSON document as it
//     was posted (clojure.data.json and cheshire assoc! into a transient
//     map in document order; a repeated key keeps its first place and its
//     last value), kept by the kv store (nippy freezes a map in its
//     iteration order and thaws it with assoc! in that order);
//   - several tokens: merge-parameters deep-merges env and metadata with
//     clojure.core/merge: the earlier token's keys, then the later token's
//     new keys in its order;
//   - headers: see headerKeyOrder;
//   - a token and headers: compute-service-description merges them with a
//     plain merge, so a header env or metadata replaces the token's whole
//     map; x-waiter-param-* then merge into env (earlier keys first).
//
// A missing or partial order falls back to sorted keys for the rest.
//
// The token stores keep a token as canonical JSON (sorted keys,
// internal/tokenrules) and the posted order beside it
// (waiter.Token.KeyOrder, from JSONKeyOrder of the POST /token body).
type KeyOrder map[string][]string

// Minimal returns o without the entries that say no more than the
// fallback: keys already sorted (or a single key), which a missing order
// gives too, in a token's own map as in merges (orderedKeys). A token
// store keeps a token's order this way, so that a token written before
// orders were kept (none recorded: its service id was computed with
// sorted keys, and still is) and the same token posted again in sorted
// order are the same token, with the same ETag and service id; only a
// posted order that differs from sorted is recorded, and changes the id,
// as it does in Waiter. Nil when nothing is left.
func (o KeyOrder) Minimal() KeyOrder {
	var out KeyOrder
	for k, keys := range o {
		if len(keys) > 1 && !slices.IsSorted(keys) {
			if out == nil {
				out = KeyOrder{}
			}
			out[k] = keys
		}
	}
	return out
}

// MarshalInKeyOrder encodes a token's data as JSON (top-level keys
// sorted, as encoding/json writes a map) with its env and metadata
// objects' keys in order (those order names first, the rest sorted), so
// that a client posting a token back (a read-modify-write) keeps the order
// its service id depends on.
func MarshalInKeyOrder(data map[string]any, order KeyOrder) ([]byte, error) {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		m, isMap := data[k].(map[string]any)
		if !isMap || (k != "env" && k != "metadata") {
			vb, err := json.Marshal(data[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			b.Write(vb)
			continue
		}
		b.WriteByte('{')
		for j, mk := range orderedKeys(stringKeys(m), order[k]) {
			if j > 0 {
				b.WriteByte(',')
			}
			kb, err := json.Marshal(mk)
			if err != nil {
				return nil, err
			}
			vb, err := json.Marshal(m[mk])
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", k, mk, err)
			}
			b.Write(kb)
			b.WriteByte(':')
			b.Write(vb)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// stringKeys is m's key set as orderedKeys takes it.
func stringKeys(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}

// mergedKeys is the key order of (merge a b) for array maps: a's keys,
// then b's keys that a lacks, in b's order.
func mergedKeys(a, b []string) []string {
	out := slices.Clone(a)
	for _, k := range b {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// orderedKeys returns m's keys: those named in order first (in that order),
// then the rest sorted.
func orderedKeys(m map[string]string, order []string) []string {
	keys := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	rest := make([]string, 0, len(m)-len(keys))
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// JSONKeyOrder reads a token's JSON document and returns the document
// order of the keys of its "env" and "metadata" objects (a repeated key
// keeps its first place, as in Clojure's readers); objects of more than 8
// keys are left out, as Clojure prints them in hash order whatever the
// order they were read in. A token store keeps it beside the token
// (waiter.Token.KeyOrder).
func JSONKeyOrder(doc []byte) (KeyOrder, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil {
		return nil, err
	} else if t != json.Delim('{') {
		return nil, fmt.Errorf("token document is not a JSON object")
	}
	order := KeyOrder{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if key != "env" && key != "metadata" {
			if err := skipJSONValue(dec); err != nil {
				return nil, err
			}
			continue
		}
		t, err = dec.Token()
		if err != nil {
			return nil, err
		}
		if t != json.Delim('{') {
			if d, ok := t.(json.Delim); ok && (d == '[') {
				if err := skipJSONRest(dec); err != nil {
					return nil, err
				}
			}
			continue
		}
		var keys []string
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if k, _ := kt.(string); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
			if err := skipJSONValue(dec); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, err
		}
		if len(keys) <= arrayMapMax {
			order[key] = keys // a repeated "env" replaces the whole map
		} else {
			delete(order, key) // a hash map: its order is Clojure's own
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, err
	}
	return order, nil
}

// skipJSONValue consumes one value.
func skipJSONValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); ok && (d == '{' || d == '[') {
		return skipJSONRest(dec)
	}
	return nil
}

// skipJSONRest consumes up to and including the delimiter closing an
// object or array whose opening delimiter was just read.
func skipJSONRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

// headerKeyOrder returns the lowercase x-waiter-* header names of h in the
// order Waiter's waiter-headers->service-parameters iterates them.
//
// Waiter's ring request :headers map is built by jet with assoc over
// Jetty's getHeaderNames, then correlation-id-middleware adds "x-cid" and
// attach-via-header-middleware "via" when absent (a request always has
// "host"). headers/split-headers assoc!es the x-waiter-* entries into a new
// map in that map's order, and drop-waiter-header-prefix (plumbing
// map-keys) rebuilds it without the prefix; parse-env-map-headers and
// parse-metadata-headers then select-keys in that order. So:
//
//   - more than 8 x-waiter-* headers: the prefix-less map is a
//     PersistentHashMap, in trie order of the prefix-less names;
//   - else more than 8 request headers in all: the request map is a hash
//     map, in trie order of the full lowercase names;
//   - else the order is Jetty 9.4's getHeaderNames, a java.util.HashSet of
//     the names as the client spelled them (HttpFields#getFieldNames), which
//     depends on the exact case the client sent (testdata/
//     jetty_header_order.clj shows it). net/http canonicalises names, so
//     that case is lost; raw, when known, has the x-waiter-* names as the
//     client sent them, in order (the router's HTTP/1.1 listener keeps
//     them, internal/h1guard), and jettyRawOrder uses them; else
//     jettyNameOrder assumes lower case, as HTTP/2 always sends and as
//     Waiter's documentation writes the headers.
func headerKeyOrder(h map[string][]string, raw []string) []string {
	all := map[string]bool{"host": true, "x-cid": true, "via": true}
	var full []string
	for k := range h {
		lk := strings.ToLower(k)
		if !all[lk] && strings.HasPrefix(lk, HeaderPrefix) {
			full = append(full, lk)
		}
		all[lk] = true
	}
	switch {
	case len(full) > arrayMapMax:
		names := make([]string, len(full))
		for i, k := range full {
			names[i] = strings.TrimPrefix(k, HeaderPrefix)
		}
		hamtOrder(names)
		for i, n := range names {
			names[i] = HeaderPrefix + n
		}
		return names
	case len(all) > arrayMapMax:
		hamtOrder(full)
		return full
	}
	if order, ok := jettyRawOrder(h, full, raw); ok {
		return order
	}
	return jettyNameOrder(h, full)
}

// jettyRawOrder is jettyNameOrder from the x-waiter-* names as sent
// (raw, in the order sent, repeats included). Jetty's HashSet holds each
// distinct spelling once, where it was first added; iteration walks the
// buckets in index order and a bucket's names in the order they were
// added (java.util.HashMap keeps that order through resizes); jet then
// assoc!es the lower-cased names, so a name sent in two spellings sits
// where the first of them is iterated. The other names count only for
// the table's size: they are taken from h, once each (with Host, which
// net/http moves out of h). ok is false when raw does not name exactly
// the x-waiter-* headers of h (then it is not this request's).
func jettyRawOrder(h map[string][]string, full, raw []string) ([]string, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	// A set, not a search of distinct: raw comes from the client, which
	// may send one name in thousands of spellings.
	seen := make(map[string]struct{}, len(raw))
	distinct := make([]string, 0, len(raw))
	for _, n := range raw {
		if _, ok := seen[n]; !ok {
			seen[n] = struct{}{}
			distinct = append(distinct, n)
		}
	}
	lower := make([]string, 0, len(distinct))
	for _, n := range distinct {
		if l := strings.ToLower(n); !slices.Contains(lower, l) {
			lower = append(lower, l)
		}
	}
	if len(lower) != len(full) {
		return nil, false
	}
	for _, l := range full {
		if !slices.Contains(lower, l) {
			return nil, false
		}
	}
	size := len(distinct) + 1 // + host
	for k := range h {
		if lk := strings.ToLower(k); lk != "host" && !strings.HasPrefix(lk, HeaderPrefix) {
			size++
		}
	}
	buckets := uint32(16)
	for size > int(buckets)/4*3 {
		buckets <<= 1
	}
	slices.SortStableFunc(distinct, func(a, b string) int {
		return int(jettyBucket(a, buckets)) - int(jettyBucket(b, buckets))
	})
	order := make([]string, 0, len(full))
	for _, n := range distinct {
		if l := strings.ToLower(n); !slices.Contains(order, l) {
			order = append(order, l)
		}
	}
	return order, true
}

// jettyNameOrder sorts names (lowercase) as the java.util.HashSet that
// Jetty 9.4's HttpFields#getFieldNamesCollection builds iterates them,
// assuming every name of h was sent in lower case: new HashSet<>() has 16
// buckets and doubles when more than 3/4 full, and iteration walks the
// buckets (hashCode ^ hashCode>>>16) & (buckets-1) in index order. Names
// sharing a bucket keep the order they were sent in, which net/http does
// not keep either: sorted stands in for it.
func jettyNameOrder(h map[string][]string, names []string) []string {
	distinct := map[string]bool{"host": true} // net/http moves Host out of h
	for k := range h {
		distinct[strings.ToLower(k)] = true
	}
	buckets := uint32(16)
	for len(distinct) > int(buckets)/4*3 {
		buckets <<= 1
	}
	slices.Sort(names)
	slices.SortStableFunc(names, func(a, b string) int {
		return int(jettyBucket(a, buckets)) - int(jettyBucket(b, buckets))
	})
	return names
}

// jettyBucket is java.util.HashMap's bucket of a String key.
func jettyBucket(name string, buckets uint32) uint32 {
	hc := uint32(javaStringHash(name))
	return (hc ^ hc>>16) & (buckets - 1)
}

// headerMapOrders derives the env, metadata and param key orders from the
// header order (keys as ParseHeaders stores them).
func headerMapOrders(names []string) KeyOrder {
	if names == nil {
		return nil
	}
	order := KeyOrder{}
	for _, n := range names {
		name := strings.TrimPrefix(n, HeaderPrefix)
		switch {
		case strings.HasPrefix(name, "env-"):
			order["env"] = append(order["env"], strings.ToUpper(strings.TrimPrefix(name, "env-")))
		case strings.HasPrefix(name, "metadata-"):
			order["metadata"] = append(order["metadata"], strings.TrimPrefix(name, "metadata-"))
		case strings.HasPrefix(name, "param-"):
			order["param"] = append(order["param"], strings.ToUpper(strings.TrimPrefix(name, "param-")))
		}
	}
	return order
}
