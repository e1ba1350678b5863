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

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// memStore is an in-memory Store with the semantics the HTTP edge relies
// on (ETags, If-Match, no-op updates, history, soft and hard deletes); the
// real bbolt store is exercised end to end in cmd/waiter/internal/serve.
type memStore struct {
	mu        sync.Mutex
	tokens    map[string]waiter.Token
	history   map[string][]waiter.Token
	services  map[string]map[string]any
	overrides map[string]waiter.Change
	suspended map[string]waiter.Change
	sources   map[string]map[string]string // service id -> token name -> etag
	// calls counts calls by method name, for tests that prove the edge
	// did (or did not) ask the store.
	calls map[string]int
}

// count records a call; the caller holds mu.
func (s *memStore) count(method string) { s.calls[method]++ }

// callsTo returns how many times method was called.
func (s *memStore) callsTo(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func newMemStore() *memStore {
	return &memStore{tokens: map[string]waiter.Token{}, history: map[string][]waiter.Token{}, services: map[string]map[string]any{},
		overrides: map[string]waiter.Change{}, suspended: map[string]waiter.Change{},
		sources: map[string]map[string]string{}, calls: map[string]int{}}
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

func (s *memStore) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("GetToken")
	t, ok := s.tokens[name]
	if !ok || (t.Deleted && !includeDeleted) {
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
	}
	return t, nil
}

func (s *memStore) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, found := s.tokens[name]
	if ifMatch != "" && (!found || cur.ETag != ifMatch) {
		return waiter.Token{}, "", fmt.Errorf("%w: %q", waiter.ErrPreconditionFailed, name)
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
		return cur, waiter.TokenNoOp, nil
	}
	next["last-update-time"] = float64(now.UnixMilli())
	next["last-update-user"] = user
	res := waiter.TokenCreated
	if live {
		res = waiter.TokenUpdated
		s.history[name] = append([]waiter.Token{cur}, s.history[name]...)
	} else {
		s.history[name] = nil
	}
	t := waiter.Token{Name: name, Data: next, ETag: etagOf(next)}
	s.tokens[name] = t
	return t, res, nil
}

func (s *memStore) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (waiter.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, found := s.tokens[name]
	switch {
	case !found, !hard && cur.Deleted:
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
	case hard && !cur.Deleted && ifMatch == "":
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrIfMatchRequired, name)
	case ifMatch != "" && ifMatch != cur.ETag:
		return waiter.Token{}, fmt.Errorf("%w: %q", waiter.ErrPreconditionFailed, name)
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
	s.history[name] = append([]waiter.Token{cur}, s.history[name]...)
	t := waiter.Token{Name: name, Data: next, ETag: etagOf(next), Deleted: true}
	s.tokens[name] = t
	return t, nil
}

func (s *memStore) ListTokens(f waiter.TokenFilter) ([]waiter.Token, error) {
	owners, includeDeleted := f.Owners, f.IncludeDeleted
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []waiter.Token
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

func (s *memStore) TokenHistory(name string) ([]waiter.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[name]; !ok {
		return nil, waiter.ErrTokenNotFound
	}
	return append([]waiter.Token(nil), s.history[name]...), nil
}

// ReplaceDamagedToken: nothing in memory is ever damaged.
func (s *memStore) ReplaceDamagedToken(name string, _ map[string]any, _ string, _ time.Time) (waiter.Token, waiter.TokenResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[name]; !ok {
		return waiter.Token{}, "", fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
	}
	return waiter.Token{}, "", fmt.Errorf("%w: token %q is not damaged", waiter.ErrPreconditionFailed, name)
}

func (s *memStore) PutServiceDescription(id string, core map[string]any) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[id] = roundTrip(core)
	return true, nil
}

func (s *memStore) GetServiceDescription(id string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.services[id]
	if !ok {
		return nil, waiter.ErrServiceNotFound
	}
	return d, nil
}

func (s *memStore) GetOverride(id string) (waiter.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overrides[id], nil
}

func (s *memStore) PutOverride(id string, ov map[string]any, user string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[id] = waiter.Change{Overrides: ov, User: user, Time: now}
	return nil
}

func (s *memStore) DeleteOverride(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.overrides, id)
	return nil
}

func (s *memStore) GetSuspended(id string) (waiter.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suspended[id], nil
}

func (s *memStore) SetSuspended(id string, suspended bool, user string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspended[id] = waiter.Change{Suspended: suspended, User: user, Time: now}
	return nil
}

func (s *memStore) PurgeService(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.services, id)
	delete(s.overrides, id)
	delete(s.suspended, id)
	delete(s.sources, id)
	return nil
}

func (s *memStore) AddSourceTokens(id string, tokens []waiter.SourceToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("AddSourceTokens")
	if s.sources[id] == nil {
		s.sources[id] = map[string]string{}
	}
	for _, t := range tokens {
		s.sources[id][t.Name] = t.ETag
	}
	return nil
}

func (s *memStore) SourceTokens(id string) ([]waiter.SourceToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("SourceTokens")
	var out []waiter.SourceToken
	for name, etag := range s.sources[id] {
		out = append(out, waiter.SourceToken{Name: name, ETag: etag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// fakeRouter is a Router whose answers the test sets.
type fakeRouter struct {
	mu       sync.Mutex
	services map[string]waiter.ServiceSnapshot
	admit    func(a waiter.Admission) (waiter.Grant, error)
	admitted []waiter.Admission
	released []engine.Outcome
	// releases, when set, also receives each outcome, for tests that wait
	// for a release made after the response (a websocket's).
	releases  chan engine.Outcome
	started   []string
	deleted   []string
	suspended map[string]bool
	overrides []*engine.Description
}

func newFakeRouter() *fakeRouter {
	return &fakeRouter{services: map[string]waiter.ServiceSnapshot{}, suspended: map[string]bool{}}
}

func (f *fakeRouter) Admit(ctx context.Context, a waiter.Admission) (waiter.Grant, error) {
	f.mu.Lock()
	f.admitted = append(f.admitted, a)
	admit := f.admit
	f.mu.Unlock()
	if admit == nil {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeUnavailable, Reason: engine.ReasonQueueTimeout, Message: "no instance"}
	}
	return admit(a)
}

func (f *fakeRouter) Release(_ waiter.Grant, o engine.Outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, o)
	if f.releases != nil {
		f.releases <- o
	}
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
		return waiter.ErrInstanceNotFound
	}
	for _, in := range snap.Instances {
		if in.ID == iid && in.Locked {
			// As the driver does: a kill is already under way.
			return fmt.Errorf("router: kill %s of %s: %w", iid, id, waiter.ErrInstanceBeingKilled)
		}
		if in.ID == iid {
			return nil
		}
	}
	return waiter.ErrInstanceNotFound
}

func (f *fakeRouter) Services() []waiter.ServiceSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]waiter.ServiceSnapshot, 0, len(f.services))
	for _, s := range f.services {
		out = append(out, s)
	}
	return out
}

func (f *fakeRouter) Service(id string) (waiter.ServiceSnapshot, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[id]
	return s, ok
}

func (f *fakeRouter) State() any { return map[string]any{"fake": true} }

func (f *fakeRouter) put(s waiter.ServiceSnapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.services[s.ID] = s
}
