package engine

import (
	"encoding/json"
	"net/textproto"
	"os"
	"slices"
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
	for _, bad := range []string{`[]`, `{"env":{"A":`, `{"env":{"A":"1"}`, ``} {
		if _, err := JSONKeyOrder([]byte(bad)); err == nil {
			t.Errorf("JSONKeyOrder(%q) accepted", bad)
		}
	}
}

// With 8 request headers or fewer Waiter's order is Jetty's HashSet of the
// names as sent, which net/http does not keep: keys fall back to sorted.
func TestHeaderKeyOrderUnknownForFewHeaders(t *testing.T) {
	h := map[string][]string{"X-Waiter-Token": {"t"}, "X-Waiter-Env-Zeta": {"1"}, "X-Waiter-Env-Alpha": {"2"}}
	if o := headerKeyOrder(h); o != nil {
		t.Errorf("order %v, want unknown", o)
	}
	h["Accept"], h["User-Agent"] = []string{"*/*"}, []string{"curl"}
	if o := headerKeyOrder(h); o != nil { // 5 + host, x-cid, via = 8
		t.Errorf("order %v, want unknown", o)
	}
	h["Accept-Encoding"] = []string{"gzip"}
	if o := headerKeyOrder(h); len(o) != 3 {
		t.Errorf("order %v, want the 3 x-waiter headers", o)
	}
}
