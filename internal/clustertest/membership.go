package clustertest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/waiter-go/waiter"
)

// Membership is a waiter.Membership a test drives; its zero value is not
// usable, use New.
type Membership struct {
	self    waiter.RouterInfo
	changed chan struct{}

	mu      sync.Mutex
	routers []waiter.RouterInfo
	leader  string
	closed  bool
}

// New returns the membership of router self, alone and leading.
func New(self waiter.RouterInfo) *Membership {
	return &Membership{self: self, changed: make(chan struct{}, 1), routers: []waiter.RouterInfo{self}, leader: self.ID}
}

// Set replaces the routers (self is added when missing) and the leader,
// and signals Changed.
func (m *Membership) Set(routers []waiter.RouterInfo, leader string) {
	m.mu.Lock()
	rs := slices.Clone(routers)
	if !slices.ContainsFunc(rs, func(r waiter.RouterInfo) bool { return r.ID == m.self.ID }) {
		rs = append(rs, m.self)
	}
	slices.SortFunc(rs, func(a, b waiter.RouterInfo) int { return strings.Compare(a.ID, b.ID) })
	m.routers, m.leader = rs, leader
	m.mu.Unlock()
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// Self implements waiter.Membership.
func (m *Membership) Self() waiter.RouterInfo { return m.self }

// Routers implements waiter.Membership.
func (m *Membership) Routers() []waiter.RouterInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.routers)
}

// Leader implements waiter.Membership.
func (m *Membership) Leader() bool { return m.LeaderID() == m.self.ID }

// LeaderID implements waiter.Membership.
func (m *Membership) LeaderID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leader
}

// Changed implements waiter.Membership.
func (m *Membership) Changed() <-chan struct{} { return m.changed }

// Close implements waiter.Membership.
func (m *Membership) Close(context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}

// Closed reports whether Close was called.
func (m *Membership) Closed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}
