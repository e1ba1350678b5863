package bolt

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/waiter-go/waiter"
)

// canonicalJSON encodes v with a stable byte form: encoding/json sorts map
// keys at every level, and HTML escaping is off so stored values read as
// written. Equal data therefore always gives equal bytes, which both the
// ETag and no-op detection rely on.
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// etagOf is Waiter's token hash shape, "E-" + hex MD5, taken over the
// canonical JSON of the whole token data. Waiter hashes its own
// concatenation of sorted keys and values (parameters->id); the exact
// bytes differ, but clients treat ETags as opaque.
func etagOf(canonical []byte) string {
	sum := md5.Sum(canonical)
	return "E-" + hex.EncodeToString(sum[:])
}

// decodeObject decodes a JSON object. Numbers come back as float64, as from
// any JSON body, so data read from the store compares equal to data a
// client posts.
func decodeObject(raw []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object: %.40q", raw)
	}
	return m, nil
}

// tokenRecord is the stored form of one token version, in the tokens
// bucket and in its history. The ETag is stored, not recomputed, so reads
// cost one decode.
type tokenRecord struct {
	Data json.RawMessage `json:"data"`
	ETag string          `json:"etag"`
}

// encodeToken canonicalises data and returns the record's payload (before
// sealing) and the data's ETag.
func encodeToken(data map[string]any) (payload []byte, etag string, err error) {
	canon, err := canonicalJSON(data)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", waiter.ErrInvalidTokenData, err)
	}
	etag = etagOf(canon)
	payload, err = canonicalJSON(tokenRecord{Data: canon, ETag: etag})
	return payload, etag, err
}

// decodeToken turns a record's payload back into a Token. A payload that
// passed its checksum but does not decode is reported as a corrupt record
// (named by record), like one that failed it.
func decodeToken(record, name string, payload []byte) (waiter.Token, error) {
	var rec tokenRecord
	if err := json.Unmarshal(payload, &rec); err != nil {
		return waiter.Token{}, &waiter.CorruptRecordError{Record: record, Problem: "does not decode: " + err.Error()}
	}
	data, err := decodeObject(rec.Data)
	if err != nil {
		return waiter.Token{}, &waiter.CorruptRecordError{Record: record, Problem: "does not decode: " + err.Error()}
	}
	deleted, _ := data[waiter.KeyDeleted].(bool)
	return waiter.Token{Name: name, Data: data, ETag: rec.ETag, Deleted: deleted}, nil
}
