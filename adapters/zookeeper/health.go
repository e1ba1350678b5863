package zookeeper

import (
	"errors"
	"sort"

	"github.com/waiter-go/waiter"
)

// noteCorrupt records a damaged record err names, logging it the first
// time.
func (s *Store) noteCorrupt(err error) {
	var ce *waiter.CorruptRecordError
	if !errors.As(err, &ce) {
		return
	}
	s.mu.Lock()
	_, known := s.corrupt[ce.Record]
	s.corrupt[ce.Record] = ce.Problem
	s.mu.Unlock()
	if !known {
		s.log.Error("zookeeper: damaged record found; it is not served", "record", ce.Record, "problem", ce.Problem)
	}
}

// rewritten forgets a damaged record a write replaced or removed.
func (s *Store) rewritten(record string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.corrupt, record)
}

// noteWrite records the outcome of a write: one that failed for want of
// ZooKeeper degrades the store until a write succeeds.
func (s *Store) noteWrite(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		if s.lastErr != "" {
			s.log.Info("zookeeper: writes work again")
		}
		s.lastErr = ""
	case errors.Is(err, waiter.ErrStoreUnavailable):
		if s.lastErr == "" {
			s.log.Warn("zookeeper: a write failed: ZooKeeper is unavailable", "error", err)
		}
		s.lastErr = err.Error()
	}
}

// StoreHealth reports the store's condition (waiter.HealthReporter):
// degraded while there is no ZooKeeper session (writes fail, known
// records are served from the cache) or damaged records were found.
func (s *Store) StoreHealth() waiter.StoreHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := waiter.StoreHealth{Status: waiter.HealthOK, WriteFailure: s.lastErr}
	if !s.c.Connected() {
		h.WriteFailure = s.c.needSession("write").Error()
	}
	for r := range s.corrupt {
		h.CorruptRecords = append(h.CorruptRecords, r)
	}
	sort.Strings(h.CorruptRecords)
	if len(h.CorruptRecords) > 0 || h.WriteFailure != "" {
		h.Status = waiter.HealthDegraded
	}
	return h
}
