package bolt

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
	bbolt "go.etcd.io/bbolt"
)

// AddSourceTokens merges token versions that reached a service into its
// record, in one transaction: one entry per token name, the given version
// replacing the one stored. Adding what is already there writes nothing
// and costs no fsync (the router calls it once per new token version, but
// a second router process or a retried call may repeat it).
func (s *Store) AddSourceTokens(id string, tokens []waiter.SourceToken) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	for _, t := range tokens {
		if err := checkKey("source token name", t.Name); err != nil {
			return err
		}
	}
	op := fmt.Sprintf("add source tokens of service %q", id)
	err := s.update(op, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSourceTokens)
		raw := b.Get([]byte(id))
		var stored []tokenrules.SourceRecord
		if raw != nil {
			var err error
			if stored, err = decodeSources(id, raw); err != nil && !errors.Is(err, waiter.ErrCorruptRecord) {
				// A damaged record is replaced by what is known now: the
				// versions it held are lost either way, and keeping it
				// would leave the owners of these tokens without rights.
				return err
			}
		}
		merged, changed := tokenrules.MergeSources(stored, tokens)
		if !changed && raw != nil {
			return errNoOp
		}
		payload, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), scopeSources.seal([]byte(id), payload))
	})
	if errors.Is(err, errNoOp) {
		return nil
	}
	if err == nil {
		s.health.rewritten(nameSourceTokens(id))
	}
	return err
}

// SourceTokens returns the token versions recorded for a service, sorted
// by name; none when nothing was recorded.
func (s *Store) SourceTokens(id string) ([]waiter.SourceToken, error) {
	if err := checkKey("service id", id); err != nil {
		return nil, err
	}
	var out []waiter.SourceToken
	err := s.view(fmt.Sprintf("get source tokens of service %q", id), func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSourceTokens)
		if b == nil {
			return nil // a file opened read-only from before the bucket existed
		}
		raw := b.Get([]byte(id))
		if raw == nil {
			return nil
		}
		stored, err := decodeSources(id, raw)
		if err != nil {
			return err
		}
		out = tokenrules.SourceTokens(stored)
		return nil
	})
	return out, err
}

// decodeSources checks and decodes a stored record.
func decodeSources(id string, raw []byte) ([]tokenrules.SourceRecord, error) {
	payload, err := openRecord(scopeSources, nameSourceTokens(id), []byte(id), raw)
	if err != nil {
		return nil, err
	}
	var recs []tokenrules.SourceRecord
	if err := json.Unmarshal(payload, &recs); err != nil {
		return nil, &waiter.CorruptRecordError{Record: nameSourceTokens(id), Problem: "does not decode: " + err.Error()}
	}
	return recs, nil
}
