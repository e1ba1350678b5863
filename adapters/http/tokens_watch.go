package waiterhttp

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/waiter-go/waiter"
)

// GET /tokens?watch=true streams changes of the token index as Waiter's
// handle-list-tokens-watch does (token.clj, token_watch.clj): first
//
//	{"id": cid, "object": [entries], "reference-type": "token", "type": "INITIAL"}
//
// with the entries /tokens would list (same owner, include filters), then
// whenever tokens change
//
//	{"id": cid, "object": [{"type": "UPDATE", "object": entry} | {"type": "DELETE", "object": {"owner", "token"}}], "reference-type": "token", "type": "EVENTS"}
//
// one JSON object per line. The router looks for changes every
// tokenWatchInterval. The stream ends when the client goes, when the
// router drains, or after streaming-timeout milliseconds (query
// parameter; default tokenWatchTimeout) without an event, as Waiter's
// does. At most maxTokenWatches streams run at once (503 beyond), and a
// client that does not read an event within the API write timeout is cut.
const (
	tokenWatchInterval = time.Second
	tokenWatchTimeout  = 10 * time.Minute
	maxTokenWatches    = 64
)

func (s *Server) watchTokens(w http.ResponseWriter, r *http.Request, filter waiter.TokenFilter, include map[string]bool) {
	timeout := tokenWatchTimeout
	if v := r.URL.Query().Get("streaming-timeout"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			s.writeError(w, r, badRequest("streaming-timeout query parameter must be a positive integer (milliseconds)"))
			return
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	if s.tokenWatches.Add(1) > maxTokenWatches {
		s.tokenWatches.Add(-1)
		s.writeError(w, r, &Error{Status: http.StatusServiceUnavailable,
			Message: "Too many token watches: at most " + strconv.Itoa(maxTokenWatches) + " at once"})
		return
	}
	defer s.tokenWatches.Add(-1)

	index, herr := s.tokenIndex(filter, include)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	cid := strings.Clone(info(r).cid) // a watch lasts; the cid's arena chunk need not (internal/strarena)
	rc := http.NewResponseController(w)
	send := func(typ string, object any) bool {
		b, err := json.Marshal(map[string]any{"id": cid, "object": object, "reference-type": "token", "type": typ})
		if err != nil {
			return false
		}
		_ = rc.SetWriteDeadline(s.clock.Now().Add(s.cfg.APIWriteTimeout))
		if _, err := w.Write(append(b, '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if !send("INITIAL", index.entries()) {
		return
	}
	tick := s.clock.Ticker(tokenWatchInterval)
	defer tick.Stop()
	idleSince := s.clock.Now()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		now := s.clock.Now()
		if s.draining.Load() || now.Sub(idleSince) >= timeout {
			return
		}
		next, herr := s.tokenIndex(filter, include)
		if herr != nil {
			s.log.Warn("token watch: reading tokens", "cid", cid, "error", herr.Cause)
			continue
		}
		if events := index.diff(next); len(events) > 0 {
			if !send("EVENTS", events) {
				return
			}
			idleSince = now
		}
		index = next
	}
}

// tokenIndex is the listed tokens by name, each with its /tokens entry.
type tokenIndex map[string]indexedToken

type indexedToken struct {
	etag    string
	deleted bool
	entry   map[string]any
}

func (s *Server) tokenIndex(filter waiter.TokenFilter, include map[string]bool) (tokenIndex, *Error) {
	list, err := s.store.ListTokens(filter)
	if err != nil {
		return nil, toError(err)
	}
	idx := make(tokenIndex, len(list))
	for _, t := range list {
		idx[t.Name] = indexedToken{etag: t.ETag, deleted: t.Deleted, entry: tokenEntry(t, include)}
	}
	return idx, nil
}

func (idx tokenIndex) names() []string {
	names := make([]string, 0, len(idx))
	for n := range idx {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (idx tokenIndex) entries() []map[string]any {
	out := make([]map[string]any, 0, len(idx))
	for _, n := range idx.names() {
		out = append(out, idx[n].entry)
	}
	return out
}

// diff is Waiter's refresh: DELETE for tokens gone from the index (a hard
// delete, or a soft one when deleted tokens are not watched), UPDATE for
// new and changed ones, by token name.
func (idx tokenIndex) diff(next tokenIndex) []map[string]any {
	var events []map[string]any
	for _, n := range idx.names() {
		if _, ok := next[n]; !ok {
			events = append(events, map[string]any{"type": "DELETE",
				"object": map[string]any{"owner": idx[n].entry["owner"], "token": n}})
		}
	}
	for _, n := range next.names() {
		if old, ok := idx[n]; !ok || old.etag != next[n].etag || old.deleted != next[n].deleted {
			events = append(events, map[string]any{"type": "UPDATE", "object": next[n].entry})
		}
	}
	return events
}
