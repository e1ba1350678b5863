package engine

import (
	"encoding/json"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"testing"
)

// serviceid_order_golden.json is computed by Clojure from Waiter's own
// header parsing, token JSON reading and merges
// (testdata/serviceid_order_golden.clj says how): env and metadata of 2 to
// 8 entries from headers, from tokens, from two tokens merged, from a token
// with headers, and x-waiter-param-* merged into a token's env.
type orderCase struct {
	Case        string      `json:"case"`
	Headers     [][2]string `json:"headers"`
	Tokens      []string    `json:"tokens"`
	StrEnv      string      `json:"str-env"`
	StrMetadata string      `json:"str-metadata"`
	ID          string      `json:"id"`
}

func TestServiceIDOrderMatchesClojure(t *testing.T) {
	b, err := os.ReadFile("testdata/serviceid_order_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []orderCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Case, func(t *testing.T) {
			h := map[string][]string{} // as net/http hands it over
			for _, kv := range c.Headers {
				k := textproto.CanonicalMIMEHeaderKey(kv[0])
				h[k] = append(h[k], kv[1])
			}
			hp, err := ParseHeaders(h)
			if err != nil {
				t.Fatal(err)
			}
			src := Source{Headers: hp, Requester: "alice"}
			for _, doc := range c.Tokens {
				var data map[string]any
				if err := json.Unmarshal([]byte(doc), &data); err != nil {
					t.Fatal(err)
				}
				service, _, _ := SplitTokenData(data)
				order, err := JSONKeyOrder([]byte(doc))
				if err != nil {
					t.Fatal(err)
				}
				src.Tokens = append(src.Tokens, service)
				src.TokenOrders = append(src.TokenOrders, order)
			}
			d, err := ResolveDescription(src, DescriptionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range map[string]string{"env": c.StrEnv, "metadata": c.StrMetadata} {
				got := ""
				if m, ok := d.Core[k].(map[string]string); ok {
					got = clojureMapString(m, d.KeyOrder[k])
				}
				if got != want {
					t.Errorf("(str %s)\n got %s\nwant %s", k, got, want)
				}
			}
			if d.ID != c.ID {
				t.Errorf("id %s, Waiter's %s", d.ID, c.ID)
			}
		})
	}
}

func TestJSONKeyOrder(t *testing.T) {
	doc := `{"cmd":"x","previous":{"env":{"Q":"1"}},"env":{"Z":"1","A":{"n":[1,{"x":2}]},"Z":"3","M":"2"},"metadata":{"b":"1","a":"2"},"allowed-params":["X"]}`
	order, err := JSONKeyOrder([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order["env"], []string{"Z", "A", "M"}) || !slices.Equal(order["metadata"], []string{"b", "a"}) {
		t.Errorf("order = %v", order)
	}
	big := `{"env":{"K9":"","K8":"","K7":"","K6":"","K5":"","K4":"","K3":"","K2":"","K1":""},"metadata":{"z":"","a":""}}`
	if order, err := JSONKeyOrder([]byte(big)); err != nil || order["env"] != nil || len(order["metadata"]) != 2 {
		t.Errorf("a 9-key env is a hash map, its order is not kept: %v, %v", order, err)
	}
	for _, bad := range []string{`[]`, `{"env":{"A":`, `{"env":{"A":"1"}`, ``} {
		if _, err := JSONKeyOrder([]byte(bad)); err == nil {
			t.Errorf("JSONKeyOrder(%q) accepted", bad)
		}
	}
}

// With 8 request headers or fewer Waiter's order is Jetty's HashSet of the
// header names; testdata/jetty_header_order_golden.json holds the orders a
// real Jetty 9.4 gives for lower-case names.
func TestHeaderKeyOrderMatchesJetty(t *testing.T) {
	b, err := os.ReadFile("testdata/jetty_header_order_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Headers [][2]string `json:"headers"`
		Order   []string    `json:"x-waiter-order"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for i, c := range cases {
		h := map[string][]string{}
		for _, kv := range c.Headers {
			k := textproto.CanonicalMIMEHeaderKey(kv[0])
			h[k] = append(h[k], kv[1])
		}
		// Names sharing a bucket come in the order they were sent, which
		// net/http loses: those runs are expected sorted.
		want := slices.Clone(c.Order)
		slices.SortStableFunc(want, func(a, b string) int {
			if jettyBucket(a, 16) != jettyBucket(b, 16) {
				return 0
			}
			return strings.Compare(a, b)
		})
		if got := headerKeyOrder(h, nil); !slices.Equal(got, want) {
			t.Errorf("case %d %v: order %v, Jetty's %v", i, c.Headers, got, c.Order)
		}
	}
}

func TestHeaderKeyOrderSwitchesToHashOrder(t *testing.T) {
	h := map[string][]string{"X-Waiter-Token": {"t"}, "X-Waiter-Env-Zeta": {"1"}, "X-Waiter-Env-Alpha": {"2"},
		"Accept": {"*/*"}, "User-Agent": {"curl"}}
	few := headerKeyOrder(h, nil) // 5 + host, x-cid, via = 8: Jetty's order
	h["Accept-Encoding"] = []string{"gzip"}
	many := headerKeyOrder(h, nil) // 9: the ring map is a hash map
	hashed := []string{"x-waiter-token", "x-waiter-env-zeta", "x-waiter-env-alpha"}
	hamtOrder(hashed)
	if !slices.Equal(many, hashed) || len(few) != 3 {
		t.Errorf("few %v, many %v, want %v", few, many, hashed)
	}
}
