package acceptance

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

type watchEvent struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Ref    string          `json:"reference-type"`
	Object json.RawMessage `json:"object"`
}

// Waiter's GET /tokens?watch=true: an INITIAL event with the index, then
// EVENTS with UPDATE (created, edited) and DELETE (gone from the listing)
// entries; the stream ends after streaming-timeout without events.
func TestTokensWatch(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	rt.cleanupToken(t, token)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q := url.Values{"watch": {"true"}, "streaming-timeout": {"4000"}, "owner": {currentUser(t)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rt.url+"/tokens?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || mediaType(response{Header: resp.Header}) != "application/json" {
		t.Fatalf("watch answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan watchEvent, 100)
	ended := make(chan time.Time, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var e watchEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("event %q: %v", sc.Text(), err)
			}
			events <- e
		}
		ended <- time.Now()
	}()
	next := func(what string) watchEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no event for %s", what)
		}
		return watchEvent{}
	}
	// aboutToken waits for an EVENTS entry of kind typ about the token
	// (other tests edit tokens of the same owner meanwhile).
	aboutToken := func(typ string) {
		t.Helper()
		for {
			e := next(typ + " of " + token)
			if e.Type != "EVENTS" || e.Ref != "token" || e.ID == "" {
				t.Fatalf("event %+v, want EVENTS", e)
			}
			var entries []struct {
				Type   string         `json:"type"`
				Object map[string]any `json:"object"`
			}
			if err := json.Unmarshal(e.Object, &entries); err != nil {
				t.Fatal(err)
			}
			for _, en := range entries {
				if en.Object["token"] == token {
					if en.Type != typ {
						t.Fatalf("%s entry for %s, want %s: %+v", en.Type, token, typ, en)
					}
					return
				}
			}
		}
	}

	if e := next("INITIAL"); e.Type != "INITIAL" || e.Ref != "token" {
		t.Fatalf("first event %+v, want INITIAL", e)
	}
	data := kitchenParams()
	data["token"] = token
	expectStatus(t, rt.postToken(t, data, nil, ""), http.StatusOK)
	aboutToken("UPDATE")
	data["version"] = "edited"
	expectStatus(t, rt.postToken(t, data, nil, ""), http.StatusOK)
	aboutToken("UPDATE")
	expectStatus(t, rt.request(http.MethodDelete, "/token?token="+url.QueryEscape(token), nil, nil), http.StatusOK)
	aboutToken("DELETE") // soft-deleted tokens are not listed without include=deleted

	quiet := time.Now()
	for {
		select {
		case <-events:
			quiet = time.Now() // other tests' tokens
			continue
		case at := <-ended:
			if idle := at.Sub(quiet); idle < 3*time.Second {
				t.Errorf("stream ended %v after the last event, before its 4 s streaming-timeout", idle)
			}
		case <-ctx.Done():
			t.Fatal("the watch did not end after its streaming-timeout")
		}
		break
	}

	r := rt.get("/tokens?watch=true&streaming-timeout=soon")
	expectStatus(t, r, http.StatusBadRequest)
}
