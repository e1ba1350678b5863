package acceptance

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Service ids byte-compatible with Waiter's: a token whose env and
// metadata are hash maps (more than 8 entries) and that sets
// allowed-params resolves to the id Clojure computes with Waiter's own
// parameters->id (engine/testdata/serviceid_golden.clj wrote the golden).
func TestServiceIDsMatchWaiter(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	b, err := os.ReadFile("../../engine/testdata/serviceid_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Case        string         `json:"case"`
		Description map[string]any `json:"description"`
		ID          string         `json:"id"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Case != "acceptance-token" {
			continue
		}
		token := tokenName(t)
		rt.cleanupToken(t, token)
		data := c.Description
		data["token"] = token
		expectStatus(t, rt.postToken(t, data, nil, ""), http.StatusOK)
		if got := rt.serviceIDOf(t, map[string]string{"x-waiter-token": token}); got != c.ID {
			t.Errorf("service id %s, Waiter's %s", got, c.ID)
		}
		return
	}
	t.Fatal("no acceptance-token golden case")
}

// Service ids byte-compatible with Waiter's when env or metadata have 2 to 8
// entries, which Waiter prints in insertion order: on-the-fly headers
// (whose order Waiter's ring header map decides), tokens (posted order),
// two tokens merged, a token with headers and with x-waiter-param-* give
// the id Clojure computes by running Waiter's own header parsing, token
// reading and merges (engine/testdata/serviceid_order_golden.clj).
func TestServiceIDsInOrderMatchWaiter(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	b, err := os.ReadFile("../../engine/testdata/serviceid_order_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Case    string      `json:"case"`
		Headers [][2]string `json:"headers"`
		Tokens  []string    `json:"tokens"`
		ID      string      `json:"id"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	picked := map[string]bool{"headers-env-2": true, "headers-env-7": true, "headers-metadata-5": true,
		"headers-few-env-5": true, "token-env-3": true, "token-metadata-6": true, "tokens-merged-env": true,
		"token-env-header-env": true, "token-env-param-headers": true}
	ran := 0
	for _, c := range cases {
		if !picked[c.Case] {
			continue
		}
		ran++
		// Each token is posted as the JSON document Clojure read, so its
		// env and metadata keys reach the store in that order.
		var names []string
		for _, doc := range c.Tokens {
			name := tokenName(t)
			rt.cleanupToken(t, name)
			body := `{"token":` + strconv.Quote(name) + `,` + strings.TrimPrefix(doc, "{")
			expectStatus(t, rt.request(http.MethodPost, "/token", map[string]string{"content-type": "application/json"},
				strings.NewReader(body)), http.StatusOK)
			names = append(names, name)
		}
		h := map[string]string{}
		for _, kv := range c.Headers {
			h[kv[0]] = kv[1]
		}
		if len(names) > 0 {
			h["x-waiter-token"] = strings.Join(names, ",")
		}
		if got := rt.serviceIDOf(t, h); got != c.ID {
			t.Errorf("%s: service id %s, Waiter's %s", c.Case, got, c.ID)
		}
		if len(names) == 1 && len(c.Headers) > 0 {
			// A client that reads the token and posts it back (as the
			// token syncer does) keeps the order, and the id.
			got := rt.getToken(names[0], "")
			expectStatus(t, got, http.StatusOK)
			body := `{"token":` + strconv.Quote(names[0]) + `,` + strings.TrimPrefix(got.Body, "{")
			expectStatus(t, rt.request(http.MethodPost, "/token", map[string]string{"content-type": "application/json"},
				strings.NewReader(body)), http.StatusOK)
			if again := rt.serviceIDOf(t, h); again != c.ID {
				t.Errorf("%s: after GET and POST back the service id is %s, Waiter's %s", c.Case, again, c.ID)
			}
		}
	}
	if ran != len(picked) {
		t.Fatalf("ran %d golden cases, want %d", ran, len(picked))
	}
}
