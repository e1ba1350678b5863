package tokenrules

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/waiter-go/waiter"
)

// storeOwnedKeys may not appear in data given to PutToken: the store sets
// them (or, for "previous", keeps history itself), and accepting them
// would let a caller forge a token's audit trail.
var storeOwnedKeys = []string{waiter.KeyDeleted, waiter.KeyLastUpdateTime, waiter.KeyLastUpdateUser, waiter.KeyPrevious}

// systemKeys are left out when deciding whether an update changes anything
// (Waiter compares only user-editable keys), so re-posting a token read
// with its metadata is still a no-op.
var systemKeys = map[string]bool{
	waiter.KeyCluster: true, waiter.KeyDeleted: true, waiter.KeyLastUpdateTime: true,
	waiter.KeyLastUpdateUser: true, waiter.KeyPrevious: true, waiter.KeyRoot: true,
}

// CanonicalJSON encodes v with a stable byte form: encoding/json sorts map
// keys at every level, and HTML escaping is off so stored values read as
// written. Equal data therefore always gives equal bytes, which both the
// ETag and no-op detection rely on.
func CanonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ETag is Waiter's token hash shape, "E-" + hex MD5, taken over the
// canonical JSON of the whole token data. Waiter hashes its own
// concatenation of sorted keys and values (parameters->id); the exact
// bytes differ, but clients treat ETags as opaque.
func ETag(canonical []byte) string {
	sum := md5.Sum(canonical)
	return "E-" + hex.EncodeToString(sum[:])
}

// DecodeObject decodes a JSON object. Numbers come back as float64, as
// from any JSON body, so data read from a store compares equal to data a
// client posts.
func DecodeObject(raw []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object: %.40q", raw)
	}
	return m, nil
}

// OrderedETag is ETag over the canonical data and, when there is one, the
// key order kept beside it (waiter.Token.KeyOrder): Waiter's token hash
// changes with the order of a small map, and so does a token's service id.
func OrderedETag(canonical []byte, order map[string][]string) string {
	if len(order) == 0 {
		return ETag(canonical)
	}
	o, err := CanonicalJSON(order)
	if err != nil { // a map of string slices always encodes
		return ETag(canonical)
	}
	return ETag(slices.Concat(canonical, []byte("\n"), o))
}

// SameOrder reports whether two tokens' key orders (waiter.Token.KeyOrder)
// are equal: posting the same data in another key order is an update, as
// in Waiter, whose token hash prints small maps in insertion order.
func SameOrder(a, b map[string][]string) bool {
	return maps.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// CheckData rejects data a store cannot accept whatever the current
// state: empty data and store-owned keys.
func CheckData(name string, data map[string]any) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: token %q: no parameters given", waiter.ErrInvalidTokenData, name)
	}
	for _, k := range storeOwnedKeys {
		if _, ok := data[k]; ok {
			return fmt.Errorf("%w: token %q: %q is set by the store and may not be given", waiter.ErrInvalidTokenData, name, k)
		}
	}
	return nil
}

// CheckIfMatch implements If-Match: empty matches anything; otherwise it
// must equal the current ETag, and a missing token has none.
func CheckIfMatch(name string, cur waiter.Token, found bool, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	current := ""
	if found {
		current = cur.ETag
	}
	if ifMatch != current {
		if !found {
			return fmt.Errorf("%w: token %q does not exist, if-match was %q", waiter.ErrPreconditionFailed, name, ifMatch)
		}
		return fmt.Errorf("%w: token %q is at %q, if-match was %q", waiter.ErrPreconditionFailed, name, current, ifMatch)
	}
	return nil
}

// WithDefaults copies data and fills in owner and root as Waiter's token
// handler does, from the current version the caller read in the same
// transaction (or at the version its write is conditional on), so the
// defaults cannot race with another write.
func WithDefaults(data map[string]any, cur waiter.Token, live bool, user string) map[string]any {
	next := maps.Clone(data)
	if _, ok := next[waiter.KeyOwner]; !ok {
		if live && cur.Owner() != "" {
			next[waiter.KeyOwner] = cur.Owner()
		} else {
			next[waiter.KeyOwner] = user
		}
	}
	if root, ok := cur.Data[waiter.KeyRoot]; ok && live {
		if _, given := next[waiter.KeyRoot]; !given {
			next[waiter.KeyRoot] = root
		}
	}
	return next
}

// CheckOwner returns the owner of data after WithDefaults, or an error
// when it is not a non-empty string.
func CheckOwner(name string, next map[string]any, user string) (string, error) {
	owner, ok := next[waiter.KeyOwner].(string)
	if !ok || owner == "" {
		return "", fmt.Errorf("%w: token %q: owner must be a non-empty string (got %v, user %q)",
			waiter.ErrInvalidTokenData, name, next[waiter.KeyOwner], user)
	}
	return owner, nil
}

// SameEditable reports whether two token data maps agree on every
// non-system key, comparing canonical JSON so 5 and 5.0 are equal.
func SameEditable(a, b map[string]any) (bool, error) {
	ca, err := CanonicalJSON(editable(a))
	if err != nil {
		return false, err
	}
	cb, err := CanonicalJSON(editable(b))
	if err != nil {
		return false, fmt.Errorf("%w: %w", waiter.ErrInvalidTokenData, err)
	}
	return bytes.Equal(ca, cb), nil
}

func editable(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if !systemKeys[k] {
			out[k] = v
		}
	}
	return out
}
