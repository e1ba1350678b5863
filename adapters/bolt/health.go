package bolt

import (
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/waiter-go/waiter"
)

// health tracks corrupt records and failed writes. Each corrupt record is
// logged once, when first found, however often it is read after.
type health struct {
	mu           sync.Mutex
	log          *slog.Logger
	path         string
	readOnly     bool
	corrupt      map[string]struct{} // damaged records, by recordName
	logged       map[string]struct{} // damaged records already logged
	writeFailure string
}

func newHealth(log *slog.Logger, path string, readOnly bool) *health {
	return &health{log: log, path: path, readOnly: readOnly,
		corrupt: map[string]struct{}{}, logged: map[string]struct{}{}}
}

// noteCorrupt records the corrupt record err names, if it names one, and
// logs it the first time.
func (h *health) noteCorrupt(err error) {
	var ce *waiter.CorruptRecordError
	if !errors.As(err, &ce) {
		return
	}
	h.mu.Lock()
	_, known := h.logged[ce.Record]
	h.corrupt[ce.Record] = struct{}{}
	h.logged[ce.Record] = struct{}{}
	h.mu.Unlock()
	if !known {
		h.log.Error("bolt: corrupt record found; it is not served", "record", ce.Record, "problem", ce.Problem, "store", h.path)
	}
}

// rewritten forgets a record that a successful write replaced or removed.
func (h *health) rewritten(record string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.corrupt[record]; ok {
		delete(h.corrupt, record)
		delete(h.logged, record)
		h.log.Info("bolt: corrupt record rewritten", "record", record, "store", h.path)
	}
}

// forget drops the record named exact and those whose names start with
// prefix from the corrupt list, for a recheck to add back what is still
// damaged (without logging it again). It reports whether it dropped any.
func (h *health) forget(exact, prefix string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	dropped := false
	for r := range h.corrupt {
		if r == exact || strings.HasPrefix(r, prefix) {
			delete(h.corrupt, r)
			dropped = true
		}
	}
	return dropped
}

// noteWrite records the outcome of a write that reached the file system.
func (h *health) noteWrite(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err == nil:
		h.writeFailure = ""
	case errors.Is(err, waiter.ErrStoreFull) || errors.Is(err, waiter.ErrStoreReadOnly):
		h.writeFailure = err.Error()
	}
}

func (h *health) report() waiter.StoreHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := waiter.StoreHealth{Status: waiter.HealthOK, ReadOnly: h.readOnly, WriteFailure: h.writeFailure}
	for r := range h.corrupt {
		out.CorruptRecords = append(out.CorruptRecords, r)
	}
	sort.Strings(out.CorruptRecords)
	if len(out.CorruptRecords) > 0 || out.ReadOnly || out.WriteFailure != "" {
		out.Status = waiter.HealthDegraded
	}
	return out
}

// StoreHealth reports the store's condition (waiter.HealthReporter).
func (s *Store) StoreHealth() waiter.StoreHealth { return s.health.report() }
