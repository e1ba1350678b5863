package waiterhttp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTokenIndexDiff(t *testing.T) {
	entry := func(name, owner string) map[string]any { return map[string]any{"token": name, "owner": owner} }
	old := tokenIndex{
		"kept":    {etag: "E-1", entry: entry("kept", "a")},
		"edited":  {etag: "E-1", entry: entry("edited", "a")},
		"removed": {etag: "E-1", entry: entry("removed", "b")},
		"deleted": {etag: "E-1", entry: entry("deleted", "a")},
	}
	next := tokenIndex{
		"kept":    {etag: "E-1", entry: entry("kept", "a")},
		"edited":  {etag: "E-2", entry: entry("edited", "a")},
		"deleted": {etag: "E-1", deleted: true, entry: entry("deleted", "a")},
		"new":     {etag: "E-1", entry: entry("new", "c")},
	}
	got := fmt.Sprint(old.diff(next))
	want := "[map[object:map[owner:b token:removed] type:DELETE] map[object:map[owner:a token:deleted] type:UPDATE] " +
		"map[object:map[owner:a token:edited] type:UPDATE] map[object:map[owner:c token:new] type:UPDATE]]"
	if got != want {
		t.Errorf("diff\n got %s\nwant %s", got, want)
	}
	if d := next.diff(next); len(d) != 0 {
		t.Errorf("no change gave %v", d)
	}
}

// A watch streams INITIAL then EVENTS as tokens change, ends when the
// client goes (the stream count falls back) or after its streaming
// timeout without events, and the number of streams is bounded.
func TestTokensWatchStream(t *testing.T) {
	e := newTestEdge(t)
	e.clock.Set(time.Now()) // write deadlines over a real socket come from this clock
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	open := func(query string) (*http.Response, *bufio.Reader, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		rq, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/tokens?watch=true"+query, nil)
		resp, err := ts.Client().Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		return resp, bufio.NewReader(resp.Body), cancel
	}
	line := func(br *bufio.Reader) (map[string]any, error) {
		b, err := br.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	// tickUntil advances the mock clock a second at a time until the
	// stream yields a line or ends.
	tickUntil := func(br *bufio.Reader) (map[string]any, error) {
		got := make(chan struct {
			m   map[string]any
			err error
		}, 1)
		go func() {
			m, err := line(br)
			got <- struct {
				m   map[string]any
				err error
			}{m, err}
		}()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case r := <-got:
				return r.m, r.err
			case <-time.After(5 * time.Millisecond):
				e.clock.Add(time.Second)
			}
		}
		t.Fatal("no line within 10 s")
		return nil, nil
	}

	resp, br, cancel := open("&streaming-timeout=30000")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if m, err := line(br); err != nil || m["type"] != "INITIAL" {
		t.Fatalf("first event %v, %v", m, err)
	}
	if _, _, err := e.store.PutToken("watched", map[string]any{"cmd": "x", "owner": testUser}, "", testUser, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	m, err := tickUntil(br)
	if err != nil || m["type"] != "EVENTS" || !strings.Contains(fmt.Sprint(m["object"]), "token:watched") {
		t.Fatalf("event %v, %v; want an UPDATE of watched", m, err)
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for e.srv.tokenWatches.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watch did not end when its client went")
		}
		e.clock.Add(time.Second)
		time.Sleep(5 * time.Millisecond)
	}

	resp, br, cancel = open("&streaming-timeout=3000")
	defer cancel()
	defer resp.Body.Close()
	if m, err := line(br); err != nil || m["type"] != "INITIAL" {
		t.Fatalf("first event %v, %v", m, err)
	}
	if m, err := tickUntil(br); err != io.EOF {
		t.Fatalf("after the streaming timeout: %v, %v; want the end of the stream", m, err)
	}

	e.srv.tokenWatches.Store(maxTokenWatches)
	rec := e.do(t, req{path: "/tokens?watch=true"})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	e.srv.tokenWatches.Store(0)
	wantStatus(t, e.do(t, req{path: "/tokens?watch=true&streaming-timeout=x"}), http.StatusBadRequest)
}
