package zookeeper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
)

// ServiceDescription is a stored service description and its id.
type ServiceDescription struct {
	ID          string
	Description map[string]any
}

func nameService(id string) string { return fmt.Sprintf("service description %q", id) }

// serviceValue is a cached description with the bytes it was stored as,
// so re-storing the same one is recognised without a write.
type serviceValue struct {
	desc map[string]any
	raw  []byte
}

func (s *Store) readService(op, id string) (*serviceValue, error) {
	val, exists, err := s.read(op, s.c.path(dirServices, id), nameService(id), func(data []byte) (any, error) {
		desc, err := tokenrules.DecodeObject(data)
		return &serviceValue{desc: desc, raw: data}, err
	})
	if err != nil || !exists {
		return nil, err
	}
	return val.(*serviceValue), nil
}

// PutServiceDescription stores a description and reports whether it
// wrote anything: re-storing the one stored (the common call, service ids
// being derived from descriptions) is answered from the cache.
func (s *Store) PutServiceDescription(id string, desc map[string]any) (bool, error) {
	if err := checkKey("service id", id); err != nil {
		return false, err
	}
	payload, err := tokenrules.CanonicalJSON(desc)
	if err != nil {
		return false, fmt.Errorf("zookeeper: put service description %q: %w", id, err)
	}
	if err := checkSize(nameService(id), payload); err != nil {
		return false, err
	}
	op := fmt.Sprintf("put service description %q", id)
	if cur, err := s.readService(op, id); err == nil && cur != nil && bytes.Equal(cur.raw, payload) {
		return false, nil
	}
	path := s.c.path(dirServices, id)
	if err := s.write(op, path, func() error { return s.createOrSet(path, payload) }); err != nil {
		return false, err
	}
	s.rewritten(nameService(id))
	return true, nil
}

// GetServiceDescription returns the description stored for id, or an
// error wrapping ErrServiceNotFound.
func (s *Store) GetServiceDescription(id string) (map[string]any, error) {
	if err := checkKey("service id", id); err != nil {
		return nil, err
	}
	v, err := s.readService(fmt.Sprintf("get service description %q", id), id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
	}
	return v.desc, nil
}

// ListServiceDescriptions returns every stored description, sorted by id
// (damaged ones left out). It reads without watches: the router lists
// descriptions once, when it starts.
func (s *Store) ListServiceDescriptions() ([]ServiceDescription, error) {
	kids, _, err := s.c.conn.Children(s.c.dir(dirServices))
	if err != nil {
		return nil, s.c.fail("list service descriptions", err)
	}
	var ids []string
	for _, k := range kids {
		if id, ok := unescape(k); ok && checkKey("service id", id) == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	// Read unwatched and uncached: a listing of every description must not
	// fill the cache (and set a watch per service) at a router's start.
	var out []ServiceDescription
	for _, id := range ids {
		data, exists, err := s.fetch(s.c.path(dirServices, id), false)
		if err != nil {
			return nil, s.c.fail("list service descriptions", err)
		}
		if !exists {
			continue
		}
		desc, err := tokenrules.DecodeObject(data)
		if err != nil {
			s.noteCorrupt(&waiter.CorruptRecordError{Record: nameService(id), Problem: "does not decode: " + err.Error()})
			continue
		}
		out = append(out, ServiceDescription{ID: id, Description: desc})
	}
	return out, nil
}

// DeleteServiceDescription removes the description stored for id, or
// returns an error wrapping ErrServiceNotFound.
func (s *Store) DeleteServiceDescription(id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	path := s.c.path(dirServices, id)
	err := s.write(fmt.Sprintf("delete service description %q", id), path, func() error {
		err := s.c.conn.Delete(path, -1)
		if errors.Is(err, zk.ErrNoNode) {
			return fmt.Errorf("%w: %q", waiter.ErrServiceNotFound, id)
		}
		return err
	})
	if err == nil {
		s.rewritten(nameService(id))
	}
	return err
}

// PurgeService removes every record of a service: its description,
// overrides, suspension and source tokens. A record that is not there is
// not an error.
func (s *Store) PurgeService(id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	op := fmt.Sprintf("purge service %q", id)
	for _, dir := range []string{dirServices, dirOverrides, dirSuspension, dirSourceTokens} {
		path := s.c.path(dir, id)
		if err := s.write(op, path, func() error { return s.deleteIfThere(path) }); err != nil {
			return err
		}
	}
	return nil
}

// stateRecord is the stored form of overrides and suspension: Waiter's
// field names, time in epoch milliseconds (as adapters/bolt).
type stateRecord struct {
	Overrides map[string]any `json:"overrides,omitempty"`
	Suspended bool           `json:"suspended,omitempty"`
	User      string         `json:"last-updated-by"`
	TimeMS    int64          `json:"time"`
}

func stateName(dir, id string) string {
	if dir == dirOverrides {
		return fmt.Sprintf("override of service %q", id)
	}
	return fmt.Sprintf("suspension of service %q", id)
}

func (s *Store) putState(dir, op, id string, rec stateRecord) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	payload, err := tokenrules.CanonicalJSON(rec)
	if err != nil {
		return fmt.Errorf("zookeeper: %s %q: %w", op, id, err)
	}
	if err := checkSize(stateName(dir, id), payload); err != nil {
		return err
	}
	path := s.c.path(dir, id)
	err = s.write(fmt.Sprintf("%s %q", op, id), path, func() error { return s.createOrSet(path, payload) })
	if err == nil {
		s.rewritten(stateName(dir, id))
		s.rewatch(path)
	}
	return err
}

// rewatch sets a watch on a service's overrides or suspension after this
// router wrote them: the write fired the watch its read had set, and the
// HTTP edge caches what it wrote, so without a new watch it would not
// hear of the next change another router makes.
func (s *Store) rewatch(path string) {
	_, _, _, _ = s.c.conn.ExistsW(path)
}

func (s *Store) getState(dir, op, id string) (stateRecord, bool, error) {
	if err := checkKey("service id", id); err != nil {
		return stateRecord{}, false, err
	}
	val, exists, err := s.read(fmt.Sprintf("%s %q", op, id), s.c.path(dir, id), stateName(dir, id), func(data []byte) (any, error) {
		var rec stateRecord
		err := json.Unmarshal(data, &rec)
		return rec, err
	})
	if err != nil || !exists {
		return stateRecord{}, false, err
	}
	return val.(stateRecord), true, nil
}

// PutOverride replaces the overrides of a service; empty overrides are
// kept as an explicit "none".
func (s *Store) PutOverride(id string, overrides map[string]any, user string, now time.Time) error {
	if overrides == nil {
		overrides = map[string]any{}
	}
	return s.putState(dirOverrides, "put override", id, stateRecord{Overrides: overrides, User: user, TimeMS: now.UnixMilli()})
}

// GetOverride returns the overrides of a service (zero Change when none).
func (s *Store) GetOverride(id string) (waiter.Change, error) {
	rec, found, err := s.getState(dirOverrides, "get override", id)
	if err != nil || !found {
		return waiter.Change{}, err
	}
	ov := rec.Overrides
	if ov == nil {
		ov = map[string]any{}
	}
	return waiter.Change{Overrides: ov, User: rec.User, Time: time.UnixMilli(rec.TimeMS).UTC()}, nil
}

// DeleteOverride removes the overrides of a service; none is not an error.
func (s *Store) DeleteOverride(id string) error {
	if err := checkKey("service id", id); err != nil {
		return err
	}
	path := s.c.path(dirOverrides, id)
	err := s.write(fmt.Sprintf("delete override %q", id), path, func() error { return s.deleteIfThere(path) })
	if err == nil {
		s.rewritten(stateName(dirOverrides, id))
		s.rewatch(path)
	}
	return err
}

// SetSuspended suspends or resumes a service; resuming keeps a record.
func (s *Store) SetSuspended(id string, suspended bool, user string, now time.Time) error {
	return s.putState(dirSuspension, "set suspended", id, stateRecord{Suspended: suspended, User: user, TimeMS: now.UnixMilli()})
}

// GetSuspended returns the suspension record (zero Change when none).
func (s *Store) GetSuspended(id string) (waiter.Change, error) {
	rec, found, err := s.getState(dirSuspension, "get suspended", id)
	if err != nil || !found {
		return waiter.Change{}, err
	}
	return waiter.Change{Suspended: rec.Suspended, User: rec.User, Time: time.UnixMilli(rec.TimeMS).UTC()}, nil
}
