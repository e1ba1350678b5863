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
	raw, err := canonicalJSON(desc)
	if err != nil {
		return false, fmt.Errorf("bolt: put service description %q: %w", id, err)
	}
	same := false
	err = s.db.View(func(tx *bbolt.Tx) error {
		same = bytes.Equal(tx.Bucket(bucketServices).Get([]byte(id)), raw)
		return nil
	})
	if err != nil || same {
		return false, opError(fmt.Sprintf("put service description %q", id), err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketServices).Put([]byte(id), raw)
	})
	if err != nil {
		return false, opError(fmt.Sprintf("put service description %q", id), err)
	}
	return true, nil
}

// GetServiceDescription returns the description stored for id, or an error
// wrapping ErrServiceNotFound.
func (s *Store) GetServiceDescription(id string) (map[string]any, error) {
	if err := checkKey("service id", id); err != nil {
		return nil, err
	}
	var desc map[string]any
	err := s.db.View(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucketServices).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
		}
		var err error
		desc, err = decodeObject(raw)
		return err
	})
	return desc, opError(fmt.Sprintf("get service description %q", id), err)
}

// ListServiceDescriptions returns every stored description, sorted by id.
func (s *Store) ListServiceDescriptions() ([]ServiceDescription, error) {
	var out []ServiceDescription
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
			desc, err := decodeObject(v)
			if err != nil {
				return fmt.Errorf("service %q: %w", k, err)
			}
			out = append(out, ServiceDescription{ID: string(k), Description: desc})
			return nil
		})
	})
	return out, opError("list service descriptions", err)
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
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketServices)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
		}
		return b.Delete([]byte(id))
	})
	return opError(fmt.Sprintf("delete service description %q", id), err)
}
