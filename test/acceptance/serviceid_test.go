package acceptance

import (
	"encoding/json"
	"net/http"
	"os"
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
// (whose order Waiter's ring header map decides) give the id Clojure
// computes by running Waiter's own header parsing
// (engine/testdata/serviceid_order_golden.clj wrote the golden).
func TestServiceIDsFromHeadersMatchWaiter(t *testing.T) {
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
	ran := 0
	for _, c := range cases {
		if len(c.Tokens) > 0 || (c.Case != "headers-env-2" && c.Case != "headers-env-7" && c.Case != "headers-metadata-5") {
			continue
		}
		ran++
		h := map[string]string{}
		for _, kv := range c.Headers {
			h[kv[0]] = kv[1]
		}
		if got := rt.serviceIDOf(t, h); got != c.ID {
			t.Errorf("%s: service id %s, Waiter's %s", c.Case, got, c.ID)
		}
	}
	if ran != 3 {
		t.Fatalf("ran %d golden cases, want 3", ran)
	}
}
