package kitchen

import (
	"sync"
	"time"
)

// Defaults of an async request, from the original: it takes 20 s to
// "process" and its result is kept 10 s after that.
const (
	defaultAsyncProcessing = 20 * time.Second
	defaultAsyncLinger     = 10 * time.Second
)

// asyncEntry is what /kitchen-state and /async/result report about one
// async request. Field order is alphabetical so the JSON matches the
// original's sorted keys.
type asyncEntry struct {
	CID            string `json:"cid"`
	Done           bool   `json:"done"`
	Expires        string `json:"expires"`
	LingerMS       int64  `json:"linger-ms"`
	ProcessingTime int64  `json:"processing-time"`
	Received       string `json:"received"`
}

// asyncStore holds the async requests of Waiter's async protocol (202 +
// Location, polled status, result). Each entry becomes done after its
// processing time and disappears after its linger time.
type asyncStore struct {
	mu      sync.Mutex
	entries map[string]*asyncEntry
}

// isoLocal is Python's datetime.isoformat() for a local time.
const isoLocal = "2006-01-02T15:04:05.000000"

// create registers request id and arms its timers. The timers compare
// entry identity so that a cancelled id reused by a later request is not
// completed or removed by the old request's timers.
func (s *asyncStore) create(id, cid string, processing, linger time.Duration) {
	now := time.Now()
	e := &asyncEntry{
		CID:            cid,
		Expires:        now.Add(linger).Format(isoLocal),
		LingerMS:       linger.Milliseconds(),
		ProcessingTime: processing.Milliseconds(),
		Received:       now.Format(isoLocal),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		s.entries = map[string]*asyncEntry{}
	}
	s.entries[id] = e
	time.AfterFunc(processing, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.entries[id] != e {
			return // cancelled or replaced
		}
		e.Done = true
		time.AfterFunc(linger, func() { s.remove(id, e) })
	})
}

// lookup returns a copy of the entry for id.
func (s *asyncStore) lookup(id string) (asyncEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok {
		return asyncEntry{}, false
	}
	return *e, true
}

// cancel forgets id.
func (s *asyncStore) cancel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.entries, id)
}

func (s *asyncStore) remove(id string, e *asyncEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries[id] == e {
		delete(s.entries, id)
	}
}

// snapshot copies every entry, for /kitchen-state.
func (s *asyncStore) snapshot() map[string]asyncEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]asyncEntry, len(s.entries))
	for id, e := range s.entries {
		out[id] = *e
	}
	return out
}
