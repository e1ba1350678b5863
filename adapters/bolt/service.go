package bolt

import (
	"bytes"
	"fmt"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// ServiceDescription is a stored service description and its id.
type ServiceDescription struct {
	ID          string
	Description map[string]any
}

// PutServiceDescription stores the description of a service and reports
// whether anything was written. Service ids are derived from descriptions,
// so the common call re-stores what is already there (Waiter stores the
// description on every /service-id resolution); that case is answered from
// a read transaction and costs no fsync. A different description under an
// existing id replaces it, as Waiter's KV store does.
func (s *Store) PutServiceDescription(id string, desc map[string]any) (bool, error) {
	if err := checkKey("service id", id); err != nil {
		return false, err
	}
	payload, err := canonicalJSON(desc)
	if err != nil {
		return false, fmt.Errorf("bolt: put service description %q: %w", id, err)
	}
	// Sealing is deterministic, so an unchanged description has the same
	// stored bytes; a damaged one differs and is rewritten, which repairs
	// it: the id is derived from the description.
	sealed := scopeServices.seal([]byte(id), payload)
	op := fmt.Sprintf("put service description %q", id)
	same := false
	err = s.view(op, func(tx *bbolt.Tx) error {
		same = bytes.Equal(tx.Bucket(bucketServices).Get([]byte(id)), sealed)
		return nil
	})
	if err != nil || same {
		return false, err
	}
	err = s.update(op, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketServices).Put([]byte(id), sealed)
	})
	if err != nil {
		return false, err
	}
	s.health.rewritten(nameService(id))
	return true, nil
}

// GetServiceDescription returns the description stored for id, or an error
// wrapping ErrServiceNotFound.
func (s *Store) GetServiceDescription(id string) (map[string]any, error) {
	if err := checkKey("service id", id); err != nil {
		return nil, err
	}
	var desc map[string]any
	err := s.view(fmt.Sprintf("get service description %q", id), func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucketServices).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
		}
		var err error
		desc, err = openObject(scopeServices, nameService(id), []byte(id), raw)
		return err
	})
	return desc, err
}

// ListServiceDescriptions returns every stored description, sorted by id.
// Damaged descriptions are left out and reported in Health.
func (s *Store) ListServiceDescriptions() ([]ServiceDescription, error) {
	var out []ServiceDescription
	err := s.view("list service descriptions", func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
			desc, err := openObject(scopeServices, nameService(string(k)), k, v)
			if s.skipCorrupt(err) {
				return nil
			}
			if err != nil {
				return err
			}
			out = append(out, ServiceDescription{ID: string(k), Description: desc})
			return nil
		})
	})
	return out, err
}

// openObject checks a stored value and decodes its JSON object payload.
func openObject(sc scope, record string, key, raw []byte) (map[string]any, error) {
	payload, err := openRecord(sc, record, key, raw)
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(payload)
	if err != nil {
		return nil, &waiter.CorruptRecordError{Record: record, Problem: "does not decode: " + err.Error()}
	}
	return obj, nil
}

// DeleteServiceDescription removes the description stored for id, or
// returns an error wrapping ErrServiceNotFound. Overrides and suspension are
// separate records with their own delete calls: Waiter keeps them when a
// service is deleted, so a re-created service (same description, same id)
// comes back with them.
func (s *Store) DeleteServiceDescription(id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	err := s.update(fmt.Sprintf("delete service description %q", id), func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketServices)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
		}
		return b.Delete([]byte(id))
	})
	if err == nil {
		s.health.rewritten(nameService(id))
	}
	return err
}

// PurgeService removes every record of a service in one transaction: its
// description, overrides, suspension and source tokens. The router calls it for services
// it no longer keeps (see cmd/waiter's description retention); a record
// that is not there is not an error.
func (s *Store) PurgeService(id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketServices, bucketOverrides, bucketSuspension, bucketSourceTokens} {
			b := tx.Bucket(name)
			if b == nil {
				continue // a later bucket a read-only file lacks; nothing to delete
			}
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	return opError(fmt.Sprintf("purge service %q", id), err)
}
