package waiterhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// FuzzTokenPost posts arbitrary bodies and query strings to /token on a
// fresh edge. Properties: the answer is never a 5xx (bad data is the
// client's problem: 4xx naming it), it is JSON, and a token the router
// accepts reads back as posted: GET /token returns every key the POST set,
// with the value it set.
func FuzzTokenPost(f *testing.F) {
	for _, seed := range []struct{ query, body string }{
		{"", kitchenToken},
		{"token=kitchen", `{"cmd":"k","cpus":1,"mem":1,"version":"v","env":{"FOO":"bar"},"metadata":{"team":"a"},"allowed-params":["FOO"]}`},
		{"token=t1", `{"cmd":"k","owner":"alice","editor":"bob","cors-rules":[{"origin-regex":".*"}],"maintenance":{"message":"down"},"https-redirect":true,"service-mapping":"exclusive","stale-timeout-mins":5}`},
		{"token=t1&update-mode=admin", `{"cmd":"k","root":"elsewhere","cluster":"c1","owner":"bob","run-as-user":"bob"}`},
		{"token=t1", `{"cmd":"k","last-update-time":1,"unknown":1}`},
		{"token=1bad", `{"cmd":"k"}`},
		{"token=localhost", `{"cmd":"k"}`},
		{"token=t1", `{"cpus":-1,"mem":"x","max-instances":1.5,"queue-timeout-ms":-1,"cors-rules":[{"origin-regex":"("}]}`},
		{"token=t1", `[1,2]`},
		{"token=t1", `{"cmd":`},
		{"token=t1", `{}`},
	} {
		f.Add(seed.query, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		e := newTestEdge(t)
		post, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:9091/token?"+query, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		post.Header.Set("Accept", "application/json")
		post.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, post)
		if rec.Code >= 500 {
			t.Fatalf("POST /token?%s %q: status %d:\n%s", query, body, rec.Code, rec.Body.String())
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST answer is not a JSON object (%v):\n%s", err, rec.Body.String())
		}
		if rec.Code != http.StatusOK {
			return
		}

		var posted map[string]any
		if err := json.Unmarshal(body, &posted); err != nil {
			t.Fatalf("accepted a body that is not a JSON object: %q", body)
		}
		name := post.URL.Query().Get("token")
		if name == "" {
			name, _ = posted["token"].(string)
		}
		get := httptest.NewRecorder()
		e.srv.ServeHTTP(get, httptest.NewRequest(http.MethodGet, "/token?token="+url.QueryEscape(name), nil))
		if get.Code != http.StatusOK {
			t.Fatalf("token %q accepted, then GET says %d:\n%s", name, get.Code, get.Body.String())
		}
		var stored map[string]any
		if err := json.Unmarshal(get.Body.Bytes(), &stored); err != nil {
			t.Fatalf("GET answer is not a JSON object (%v):\n%s", err, get.Body.String())
		}
		for k, want := range posted {
			if k == "token" || engine.IsSystemTokenKey(k) {
				continue // the name, and metadata GET shows only with include=metadata
			}
			if got, ok := stored[k]; !ok || !reflect.DeepEqual(got, want) {
				t.Fatalf("token %q: posted %s = %#v, GET returns %#v (present %v)", name, k, want, got, ok)
			}
		}
	})
}
