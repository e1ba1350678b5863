package waiterhttp

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// memStore is an in-memory Store with the semantics the HTTP edge relies
// on (ETags, If-Match, no-op updates, history, soft and hard deletes); the
// real bbolt store is exercised end to end in cmd/waiter/internal/serve.
type memStore struct {
	mu        sync.Mutex
	tokens    map[string]Token
	history   map[string][]Token
	services  map[string]map[string]any
	overrides map[string]Change
	suspended map[string]Change
}

func newMemStore() *memStore {
	return &memStore{tokens: map[string]Token{}, history: map[string][]Token{}, services: map[string]map[string]any{},
		overrides: map[string]Change{}, suspended: map[string]Change{}}
}

func etagOf(data map[string]any) string {
	b, _ := json.Marshal(data)
	sum := md5.Sum(b)
	return "E-" + hex.EncodeToString(sum[:])
}

func roundTrip(data map[string]any) map[string]any {
	b, _ := json.Marshal(data)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func editableJSON(data map[string]any) string {
	m := map[string]any{}
	for k, v := range data {
		if !engine.IsSystemTokenKey(k) {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func (s *memStore) GetToken(name string, includeDeleted bool) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[name]
	if !ok || (t.Deleted && !includeDeleted) {
		return Token{}, fmt.Errorf("%w: %q", ErrTokenNotFound, name)
	}
	return t, nil
}

func (s *memStore) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (Token, TokenResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, found := s.tokens[name]
	if ifMatch != "" && (!found || cur.ETag != ifMatch) {
		return Token{}, "", fmt.Errorf("%w: %q", ErrPreconditionFailed, name)
	}
	live := found && !cur.Deleted
	next := roundTrip(data)
	if _, ok := next["owner"]; !ok {
		if live {
			next["owner"] = cur.Data["owner"]
		} else {
			next["owner"] = user
		}
	}
	if live && editableJSON(cur.Data) == editableJSON(next) {
		return cur, TokenNoOp, nil
	}
	next["last-update-time"] = float64(now.UnixMilli())
	next["last-update-user"] = user
	res := TokenCreated
	if live {
		res = TokenUpdated
		s.history[name] = append([]Token{cur}, s.history[name]...)
	} else {
		s.history[name] = nil
	}
	t := Token{Name: name, Data: next, ETag: etagOf(next)}
	s.tokens[name] = t
	return t, res, nil
}

func (s *memStore) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, found := s.tokens[name]
	switch {
	case !found, !hard && cur.Deleted:
		return Token{}, fmt.Errorf("%w: %q", ErrTokenNotFound, name)
	case hard && !cur.Deleted && ifMatch == "":
		return Token{}, fmt.Errorf("%w: %q", ErrIfMatchRequired, name)
	case ifMatch != "" && ifMatch != cur.ETag:
		return Token{}, fmt.Errorf("%w: %q", ErrPreconditionFailed, name)
	}
	if hard {
		delete(s.tokens, name)
		delete(s.history, name)
		return cur, nil
	}
	next := maps.Clone(cur.Data)
	next["deleted"] = true
	next["last-update-time"] = float64(now.UnixMilli())
	next["last-update-user"] = user
	s.history[name] = append([]Token{cur}, s.history[name]...)
	t := Token{Name: name, Data: next, ETag: etagOf(next), Deleted: true}
	s.tokens[name] = t
	return t, nil
}

func (s *memStore) ListTokens(owners []string, includeDeleted bool) ([]Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Token
	for _, t := range s.tokens {
		if t.Deleted && !includeDeleted {
			continue
		}
		if len(owners) > 0 {
			owned := false
			for _, o := range owners {
				owned = owned || t.Data["owner"] == o
			}
			if !owned {
				continue
			}
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *memStore) TokenHistory(name string) ([]Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[name]; !ok {
		return nil, ErrTokenNotFound
	}
	return append([]Token(nil), s.history[name]...), nil
}

func (s *memStore) PutServiceDescription(id string, core map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[id] = roundTrip(core)
	return nil
}

func (s *memStore) GetServiceDescription(id string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.services[id]
	if !ok {
		return nil, ErrServiceNotFound
	}
	return d, nil
}

func (s *memStore) GetOverride(id string) (Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overrides[id], nil
}

func (s *memStore) PutOverride(id string, ov map[string]any, user string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[id] = Change{Overrides: ov, User: user, Time: now}
	return nil
}

func (s *memStore) DeleteOverride(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.overrides, id)
	return nil
}

func (s *memStore) GetSuspended(id string) (Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suspended[id], nil
}

func (s *memStore) SetSuspended(id string, suspended bool, user string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspended[id] = Change{Suspended: suspended, User: user, Time: now}
	return nil
}

// fakeRouter is a Router whose answers the test sets.
type fakeRouter struct {
	mu        sync.Mutex
	services  map[string]ServiceSnapshot
	admit     func(a Admission) (Grant, error)
	admitted  []Admission
	released  []engine.Outcome
	started   []string
	deleted   []string
	suspended map[string]bool
	overrides []*engine.Description
}

func newFakeRouter() *fakeRouter {
	return &fakeRouter{services: map[string]ServiceSnapshot{}, suspended: map[string]bool{}}
}

func (f *fakeRouter) Admit(ctx context.Context, a Admission) (Grant, error) {
	f.mu.Lock()
	f.admitted = append(f.admitted, a)
	admit := f.admit
	f.mu.Unlock()
	if admit == nil {
		return Grant{}, &engine.Error{Code: engine.CodeUnavailable, Reason: engine.ReasonQueueTimeout, Message: "no instance"}
	}
	return admit(a)
}

func (f *fakeRouter) Release(_ Grant, o engine.Outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, o)
}

func (f *fakeRouter) Start(d *engine.Description) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, d.ID)
}

func (f *fakeRouter) DeleteService(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.services[id]; !ok {
		return false
	}
	delete(f.services, id)
	f.deleted = append(f.deleted, id)
	return true
}

func (f *fakeRouter) Suspend(id string, s bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.suspended[id] = s
}

func (f *fakeRouter) Override(d *engine.Description) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overrides = append(f.overrides, d)
	if snap, ok := f.services[d.ID]; ok {
		snap.Description = d
		f.services[d.ID] = snap
	}
}

func (f *fakeRouter) KillInstance(_ context.Context, id, iid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	snap, ok := f.services[id]
	if !ok {
		return ErrInstanceNotFound
	}
	for _, in := range snap.Instances {
		if in.ID == iid {
			return nil
		}
	}
	return ErrInstanceNotFound
}

func (f *fakeRouter) Services() []ServiceSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]ServiceSnapshot, 0, len(f.services))
	for _, s := range f.services {
		out = append(out, s)
	}
	return out
}

func (f *fakeRouter) Service(id string) (ServiceSnapshot, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[id]
	return s, ok
}

func (f *fakeRouter) State() any { return map[string]any{"fake": true} }

func (f *fakeRouter) put(s ServiceSnapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.services[s.ID] = s
}
