package bolt

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// stateRecord is the stored form of both kinds: Waiter's field names, time
// in epoch milliseconds.
type stateRecord struct {
	Overrides map[string]any `json:"overrides,omitempty"`
	Suspended bool           `json:"suspended,omitempty"`
	User      string         `json:"last-updated-by"`
	TimeMS    int64          `json:"time"`
}

// PutOverride replaces the overrides of a service. The store does not check
// which keys may be overridden or that the service exists; the caller does,
// as Waiter's handler does. Empty overrides are kept as an explicit "none",
// which is how Waiter records a cleared override.
func (s *Store) PutOverride(id string, overrides map[string]any, user string, now time.Time) error {
	if overrides == nil {
		overrides = map[string]any{}
	}
	return s.putState(bucketOverrides, "put override", id, stateRecord{Overrides: overrides, User: user, TimeMS: now.UnixMilli()})
}

// GetOverride returns the overrides of a service. A service with none set
// has the zero Change and no error: no overrides is the normal state.
func (s *Store) GetOverride(id string) (waiter.Change, error) {
	rec, found, err := s.getState(bucketOverrides, "get override", id)
	if err != nil || !found {
		return waiter.Change{}, err
	}
	if rec.Overrides == nil {
		rec.Overrides = map[string]any{}
	}
	return waiter.Change{Overrides: rec.Overrides, User: rec.User, Time: fromMillis(rec.TimeMS)}, nil
}

// DeleteOverride removes the overrides of a service; deleting none is not
// an error.
func (s *Store) DeleteOverride(id string) error {
	return s.deleteState(bucketOverrides, "delete override", id)
}

// SetSuspended suspends or resumes a service. Resuming keeps a record
// (suspended=false, who, when) so the last change stays visible.
func (s *Store) SetSuspended(id string, suspended bool, user string, now time.Time) error {
	return s.putState(bucketSuspension, "set suspended", id, stateRecord{Suspended: suspended, User: user, TimeMS: now.UnixMilli()})
}

// GetSuspended returns the suspension state of a service; a service never
// suspended has the zero Change and no error.
func (s *Store) GetSuspended(id string) (waiter.Change, error) {
	rec, found, err := s.getState(bucketSuspension, "get suspended", id)
	if err != nil || !found {
		return waiter.Change{}, err
	}
	return waiter.Change{Suspended: rec.Suspended, User: rec.User, Time: fromMillis(rec.TimeMS)}, nil
}

// stateKinds gives each state bucket its checksum scope and record names.
var stateKinds = map[string]struct {
	scope scope
	name  func(id string) string
}{
	string(bucketOverrides):  {scopeOverrides, nameOverride},
	string(bucketSuspension): {scopeSuspension, nameSuspension},
}

func (s *Store) putState(bucket []byte, op, id string, rec stateRecord) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	payload, err := canonicalJSON(rec)
	if err != nil {
		return fmt.Errorf("bolt: %s %q: %w", op, id, err)
	}
	kind := stateKinds[string(bucket)]
	err = s.update(fmt.Sprintf("%s %q", op, id), func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(id), kind.scope.seal([]byte(id), payload))
	})
	if err == nil {
		s.health.rewritten(kind.name(id))
	}
	return err
}

func (s *Store) getState(bucket []byte, op, id string) (stateRecord, bool, error) {
	if err := checkKey("service id", id); err != nil {
		return stateRecord{}, false, err
	}
	kind := stateKinds[string(bucket)]
	var rec stateRecord
	found := false
	err := s.view(fmt.Sprintf("%s %q", op, id), func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucket).Get([]byte(id))
		if raw == nil {
			return nil
		}
		payload, err := openRecord(kind.scope, kind.name(id), []byte(id), raw)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(payload, &rec); err != nil {
			return &waiter.CorruptRecordError{Record: kind.name(id), Problem: "does not decode: " + err.Error()}
		}
		found = true
		return nil
	})
	return rec, found, err
}

func (s *Store) deleteState(bucket []byte, op, id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	err := s.update(fmt.Sprintf("%s %q", op, id), func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(id))
	})
	if err == nil {
		s.health.rewritten(stateKinds[string(bucket)].name(id))
	}
	return err
}

func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}
