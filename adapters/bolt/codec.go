package bolt

import (
	"encoding/json"
	"fmt"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
)

// The canonical form, the ETag and object decoding are the rules every
// token store shares (internal/tokenrules).
var (
	canonicalJSON = tokenrules.CanonicalJSON
	decodeObject  = tokenrules.DecodeObject
)

// tokenRecord is the stored form of one token version, in the tokens
// bucket and in its history. The ETag is stored, not recomputed, so reads
// cost one decode.
type tokenRecord struct {
	Data json.RawMessage `json:"data"`
	ETag string          `json:"etag"`
	// Order is waiter.Token.KeyOrder; the ETag does not cover it.
	Order map[string][]string `json:"order,omitempty"`
}

// encodeToken canonicalises data and returns the record's payload (before
// sealing) and the data's ETag.
func encodeToken(data map[string]any, order map[string][]string) (payload []byte, etag string, err error) {
	canon, err := canonicalJSON(data)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", waiter.ErrInvalidTokenData, err)
	}
	etag = tokenrules.OrderedETag(canon, order)
	payload, err = canonicalJSON(tokenRecord{Data: canon, ETag: etag, Order: order})
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
	return waiter.Token{Name: name, Data: data, ETag: rec.ETag, Deleted: deleted, KeyOrder: rec.Order}, nil
}
