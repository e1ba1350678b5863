package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// retention decides which service descriptions the store keeps. Waiter
// stores a description the first time anything resolves it and never
// removes one, so a client naming ever new services (/service-id with
// distinct headers, a flood of on-the-fly requests) grows the store
// without bound. Here:
//
//   - a description is stored when a request starts its service (the
//     HTTP edge's storeBeforeStart, through retainingStore), so resolving
//     a service stores nothing, and a request refused by a per-user limit
//     stores nothing;
//   - when the scheduler deletes a service (idle, retired, deleted through
//     the API; the driver's Forget hook), its description stays, so
//     /apps/{id} still shows it and a new request re-creates it with its
//     overrides, but it joins its user's list of inactive services; so
//     does a service stored and then refused by the engine (the driver's
//     Forget hook again);
//   - each user keeps at most `keep` inactive services: past that, the
//     oldest is purged with its overrides and suspension, and the HTTP
//     edge drops what it caches about it.
//
// The store therefore holds, per run-as-user, at most the services it
// runs (max-services-per-user) plus `keep` inactive ones.
//
// After a restart every stored description starts on its user's list
// (the router does not know yet which ones the scheduler still runs and
// will adopt); a user's list is trimmed the next time one of its services
// starts or is deleted, and a description the router runs is never
// purged.
type retention struct {
	db   serviceRecords
	keep int
	log  *slog.Logger
	// running reports whether the router runs a service (set once the
	// driver exists); purged is told of every purged service (the HTTP
	// edge's ForgetService, set once the edge exists).
	running func(id string) bool
	purged  func(id string)

	mu       sync.Mutex
	inactive map[string][]string // run-as-user -> service ids, oldest first
}

func newRetention(db serviceRecords, keep int, log *slog.Logger) *retention {
	return &retention{db: db, keep: keep, log: log, inactive: map[string][]string{},
		running: func(string) bool { return false }, purged: func(string) {}}
}

// load puts every stored description on its user's list.
func (r *retention) load() error {
	list, err := r.db.ListServiceDescriptions()
	if err != nil {
		return fmt.Errorf("serve: loading stored descriptions: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sd := range list {
		user, _ := sd.Description["run-as-user"].(string)
		r.inactive[user] = append(r.inactive[user], sd.ID)
	}
	return nil
}

// started takes a service whose description was just stored off its
// user's inactive list: it is starting.
func (r *retention) started(id, user string) {
	r.mu.Lock()
	r.inactive[user] = without(r.inactive[user], id)
	r.mu.Unlock()
	r.trim(user)
}

// retainingStore is the store the HTTP edge writes descriptions through:
// the retention hears of every service about to start.
type retainingStore struct {
	edgeStore
	kept *retention
}

// PutServiceDescription stores the description and tells the retention.
func (s retainingStore) PutServiceDescription(id string, core map[string]any) (bool, error) {
	wrote, err := s.edgeStore.PutServiceDescription(id, core)
	if err != nil {
		return false, err
	}
	user, _ := core["run-as-user"].(string)
	s.kept.started(id, user)
	return wrote, nil
}

var _ waiter.OrderedTokenPutter = retainingStore{}

// PutTokenInOrder keeps a token's key order when the store can
// (waiter.OrderedTokenPutter); the embedded interface does not promote it.
func (s retainingStore) PutTokenInOrder(name string, data map[string]any, order map[string][]string, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if o, ok := s.edgeStore.(waiter.OrderedTokenPutter); ok {
		return o.PutTokenInOrder(name, data, order, ifMatch, user, now)
	}
	return s.edgeStore.PutToken(name, data, ifMatch, user, now)
}

// forget records that d's service stopped running (the scheduler deleted
// it, or the engine refused it after its description was stored). A
// service whose description is not stored is none of its business.
func (r *retention) forget(d *engine.Description) {
	core, err := r.db.GetServiceDescription(d.ID)
	if errors.Is(err, waiter.ErrServiceNotFound) {
		return
	}
	if err != nil {
		r.log.Warn("reading a stopped service's description failed", "service-id", d.ID, "error", err)
		return
	}
	user, _ := core["run-as-user"].(string)
	r.mu.Lock()
	r.inactive[user] = append(without(r.inactive[user], d.ID), d.ID)
	r.mu.Unlock()
	r.trim(user)
}

// trim purges the user's oldest inactive services past keep; one the
// router runs (adopted after a restart) leaves the list instead.
func (r *retention) trim(user string) {
	for {
		r.mu.Lock()
		ids := r.inactive[user]
		if len(ids) <= r.keep {
			r.mu.Unlock()
			return
		}
		oldest := ids[0]
		r.inactive[user] = ids[1:]
		if len(r.inactive[user]) == 0 {
			delete(r.inactive, user)
		}
		r.mu.Unlock()
		if r.running(oldest) {
			continue
		}
		if err := r.db.PurgeService(oldest); err != nil {
			r.log.Warn("purging an inactive service failed", "service-id", oldest, "error", err)
			continue
		}
		r.purged(oldest)
	}
}

// inactiveCount is how many inactive services the lists hold (tests).
func (r *retention) inactiveCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ids := range r.inactive {
		n += len(ids)
	}
	return n
}

func without(ids []string, id string) []string {
	for i, x := range ids {
		if x == id {
			return append(ids[:i:i], ids[i+1:]...)
		}
	}
	return ids
}
