package engine

import (
	"encoding/json"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"testing"
)

// caseCase is one request of testdata/jetty_header_case_golden.json:
// x-waiter-* names sent in mixed case (and some twice, in two spellings),
// 8 ring-map headers or fewer, through a real Jetty 9.4 and Waiter's own
// header parsing and service id (the .clj file says how).
type caseCase struct {
	Headers     [][2]string `json:"headers"`
	Tokens      []string    `json:"tokens"`
	Order       []string    `json:"x-waiter-order"`
	StrEnv      string      `json:"str-env"`
	StrMetadata string      `json:"str-metadata"`
	ID          string      `json:"id"`
}

// wire splits a golden request as the router's HTTP/1.1 listener sees it:
// net/http's header map (canonical names, Host moved out) and the
// x-waiter-* names as sent, in order (internal/h1guard).
func wire(headers [][2]string) (map[string][]string, []string) {
	h := map[string][]string{}
	var raw []string
	for _, kv := range headers {
		if strings.EqualFold(kv[0], "host") {
			continue
		}
		k := textproto.CanonicalMIMEHeaderKey(kv[0])
		h[k] = append(h[k], kv[1])
		if strings.HasPrefix(strings.ToLower(kv[0]), HeaderPrefix) {
			raw = append(raw, kv[0])
		}
	}
	return h, raw
}

func TestWireHeaderOrderMatchesJetty(t *testing.T) {
	b, err := os.ReadFile("testdata/jetty_header_case_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []caseCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	lowerDiffers := 0
	for i, c := range cases {
		h, raw := wire(c.Headers)
		if got := headerKeyOrder(h, raw); !slices.Equal(got, c.Order) {
			t.Errorf("case %d %v: order %v, Jetty's %v", i, c.Headers, got, c.Order)
		}
		if !slices.Equal(headerKeyOrder(h, nil), c.Order) {
			lowerDiffers++ // what the router gave before it kept the names as sent
		}
		hp, err := ParseWireHeaders(h, raw)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
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
			t.Fatalf("case %d: %v", i, err)
		}
		for k, want := range map[string]string{"env": c.StrEnv, "metadata": c.StrMetadata} {
			got := ""
			if m, ok := d.Core[k].(map[string]string); ok {
				got = clojureMapString(m, d.KeyOrder[k])
			}
			if got != want {
				t.Errorf("case %d (str %s)\n got %s\nwant %s", i, k, got, want)
			}
		}
		if d.ID != c.ID {
			t.Errorf("case %d %v: id %s, Waiter's %s", i, c.Headers, d.ID, c.ID)
		}
	}
	// The golden must exercise what the names as sent change.
	if lowerDiffers < 5 {
		t.Errorf("only %d cases where the case of the names matters", lowerDiffers)
	}
}

// With the names as sent, the lower-case golden matches Jetty exactly,
// names sharing a bucket included (without them those runs are guessed
// sorted).
func TestWireHeaderOrderLowerCaseExact(t *testing.T) {
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
	for i, c := range cases {
		h, raw := wire(c.Headers)
		if got := headerKeyOrder(h, raw); !slices.Equal(got, c.Order) {
			t.Errorf("case %d %v: order %v, Jetty's %v", i, c.Headers, got, c.Order)
		}
	}
}

// Names that are not this request's x-waiter-* headers are not used.
func TestWireHeaderOrderIgnoresForeignNames(t *testing.T) {
	h := map[string][]string{"X-Waiter-Env-A": {"1"}, "X-Waiter-Env-B": {"2"}}
	for _, raw := range [][]string{
		{"X-Waiter-Env-A"},
		{"X-Waiter-Env-A", "X-Waiter-Env-B", "X-Waiter-Env-C"},
		{"X-Waiter-Env-A", "X-Waiter-Env-Z"},
	} {
		if got, want := headerKeyOrder(h, raw), headerKeyOrder(h, nil); !slices.Equal(got, want) {
			t.Errorf("raw %v: order %v, want the lower-case guess %v", raw, got, want)
		}
	}
}

// Minimal keeps only orders that differ from the sorted fallback, and
// the fallback gives the same id as the sorted order it leaves out.
func TestKeyOrderMinimal(t *testing.T) {
	o := KeyOrder{"env": {"ALPHA", "ZETA"}, "metadata": {"zone", "app"}, "param": {"ONE"}}
	m := o.Minimal()
	if len(m) != 1 || !slices.Equal(m["metadata"], []string{"zone", "app"}) {
		t.Errorf("Minimal = %v", m)
	}
	if (KeyOrder{"env": {"A", "B"}}).Minimal() != nil || KeyOrder(nil).Minimal() != nil {
		t.Error("a sorted order is not dropped")
	}
	core := Params{"cmd": "x", "cpus": 1.0, "mem": 1.0, "env": map[string]string{"ALPHA": "1", "ZETA": "2"}}
	if ServiceIDInOrder("p-", core, o) != ServiceIDInOrder("p-", core, m) {
		t.Error("the id changes when the sorted order is left out")
	}
}

func TestMarshalInKeyOrder(t *testing.T) {
	data := map[string]any{"cmd": "x <&>", "env": map[string]any{"ZETA": "1", "ALPHA": "2", "MU": "3"},
		"metadata": map[string]any{"b": "1", "a": "2"}, "cpus": 0.5}
	b, err := MarshalInKeyOrder(data, KeyOrder{"env": {"ZETA", "GONE", "ALPHA"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cmd":"x \u003c\u0026\u003e","cpus":0.5,"env":{"ZETA":"1","ALPHA":"2","MU":"3"},"metadata":{"a":"2","b":"1"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	order, err := JSONKeyOrder(b)
	if err != nil || !slices.Equal(order["env"], []string{"ZETA", "ALPHA", "MU"}) {
		t.Errorf("read back: %v %v", order, err)
	}
}
