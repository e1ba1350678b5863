package engine

import (
	"slices"
	"strings"
	"unicode/utf16"
)

// Waiter hashes a service description as the concatenation of each key
// and Clojure's (str v) of its value (parameters->id, reference 1.4). For
// strings, numbers and booleans that is the plain text; for env and
// metadata (maps) and allowed-params (a set) it is Clojure's printed
// form, whose entry order is Clojure's, not sorted:
//
//   - a map of up to 8 entries is a PersistentArrayMap and prints in
//     insertion order;
//   - a larger map is a PersistentHashMap and prints in the iteration order
//     of its hash array mapped trie: by the key's hash, 5 bits at a time
//     from the lowest (BitmapIndexedNode and ArrayNode walk their slots in
//     index order), keys with the same 32-bit hash in insertion order
//     (HashCollisionNode);
//   - a set (clojure.core/set builds a PersistentHashSet, whatever its
//     size) prints in the trie order of its members.
//
// A key's hash is clojure.lang.Util/hasheq of a String:
// Murmur3.hashInt(String.hashCode()), the 32-bit Java string hash over
// UTF-16 code units mixed by Murmur3's one-int finaliser (seed 0).
//
// Our descriptions hold env and metadata as Go maps, which keep no
// insertion order, so the order of a map of 2 to 8 entries travels beside
// it as a KeyOrder (keyorder.go says where Waiter's order comes from);
// keys it does not name print sorted.

// javaStringHash is java.lang.String#hashCode: s[0]*31^(n-1) + ... over
// UTF-16 code units, in 32-bit two's complement arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			h = 31*h + int32(hi)
			h = 31*h + int32(lo)
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

func rotl32(x uint32, r uint) uint32 { return x<<r | x>>(32-r) }

// murmur3HashInt is clojure.lang.Murmur3#hashInt.
func murmur3HashInt(input int32) uint32 {
	if input == 0 {
		return 0
	}
	k1 := uint32(input) * 0xcc9e2d51
	k1 = rotl32(k1, 15) * 0x1b873593
	h1 := uint32(0) ^ k1
	h1 = rotl32(h1, 13)*5 + 0xe6546b64
	// fmix(h1, 4)
	h1 ^= 4
	h1 ^= h1 >> 16
	h1 *= 0x85ebca6b
	h1 ^= h1 >> 13
	h1 *= 0xc2b2ae35
	h1 ^= h1 >> 16
	return h1
}

// clojureHash is clojure.lang.Util/hasheq of a string.
func clojureHash(s string) uint32 { return murmur3HashInt(javaStringHash(s)) }

// hamtCompare orders two hashes as a PersistentHashMap iterates them:
// slot (hash >>> shift) & 31 for shift 0, 5, ..., 30.
func hamtCompare(a, b uint32) int {
	for shift := uint(0); shift < 32; shift += 5 {
		x, y := (a>>shift)&31, (b>>shift)&31
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// hamtOrder sorts keys in place into trie order. Keys whose hashes collide
// keep their relative order (sorted, our stand-in for insertion order).
func hamtOrder(keys []string) {
	slices.Sort(keys)
	hashes := make(map[string]uint32, len(keys))
	for _, k := range keys {
		hashes[k] = clojureHash(k)
	}
	slices.SortStableFunc(keys, func(a, b string) int { return hamtCompare(hashes[a], hashes[b]) })
}

// arrayMapMax is the most entries a PersistentArrayMap holds
// (HASHTABLE_THRESHOLD / 2); one more and assoc makes a PersistentHashMap.
const arrayMapMax = 8

// clojureMapKeys returns m's keys in the order Clojure prints the map,
// given the insertion order of its keys (used up to 8 entries).
func clojureMapKeys(m map[string]string, order []string) []string {
	if len(m) <= arrayMapMax {
		return orderedKeys(m, order)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	hamtOrder(keys)
	return keys
}

// clojureMapString is (str m) for a map of strings: {"k" "v", "k2" "v2"},
// its keys inserted in order.
func clojureMapString(m map[string]string, order []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range clojureMapKeys(m, order) {
		if i > 0 {
			b.WriteString(", ")
		}
		writeClojureString(&b, k)
		b.WriteByte(' ')
		writeClojureString(&b, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// clojureSetString is (str (set xs)) for strings: #{"a" "b"}, duplicates
// dropped.
func clojureSetString(xs []string) string {
	keys := slices.Clone(xs)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	hamtOrder(keys)
	var b strings.Builder
	b.WriteString("#{")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeClojureString(&b, k)
	}
	b.WriteByte('}')
	return b.String()
}

// writeClojureString prints s readably, as print-method does for a String:
// quoted, with char-escape-string's seven escapes and every other
// character as is.
func writeClojureString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\f':
			b.WriteString(`\f`)
		case '\b':
			b.WriteString(`\b`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
