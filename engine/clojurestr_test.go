package engine

import (
	"encoding/json"
	"os"
	"testing"
)

// serviceid_golden.json is computed by Clojure itself from Waiter's own
// parameters->id (testdata/serviceid_golden.clj says how): one case per
// map shape (0, 1, 2, 8 entries: array maps; 9, 10, 17, 20, 40: hash
// maps), escapes in values, and allowed-params sets of 1, 3 and 12.
type goldenCase struct {
	Case        string         `json:"case"`
	Description map[string]any `json:"description"`
	StrEnv      string         `json:"str-env"`
	StrAllowed  string         `json:"str-allowed-params"`
	ID          string         `json:"id"`
	String      string         `json:"string"`
	HashEq      int32          `json:"hasheq"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/serviceid_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	return cases
}

func TestServiceIDMatchesClojure(t *testing.T) {
	for _, c := range loadGolden(t) {
		if c.Case == "hash" {
			continue
		}
		t.Run(c.Case, func(t *testing.T) {
			p := NormalizeParams(c.Description)
			if got := ServiceID("", p); got != c.ID {
				t.Errorf("ServiceID = %s, Waiter's = %s", got, c.ID)
			}
			if env, ok := p["env"].(map[string]string); ok {
				if got := clojureMapString(env, nil); got != c.StrEnv {
					t.Errorf("(str env)\n got %s\nwant %s", got, c.StrEnv)
				}
			}
			if ap, ok := p["allowed-params"].([]string); ok {
				if got := clojureSetString(ap); got != c.StrAllowed {
					t.Errorf("(str allowed-params) = %s, want %s", got, c.StrAllowed)
				}
			}
		})
	}
}

func TestClojureStringHash(t *testing.T) {
	for _, c := range loadGolden(t) {
		if c.Case != "hash" {
			continue
		}
		if got := int32(clojureHash(c.String)); got != c.HashEq {
			t.Errorf("(hash %q) = %d, Clojure's = %d", c.String, got, c.HashEq)
		}
	}
}

func TestClojureSetDropsDuplicates(t *testing.T) {
	if a, b := clojureSetString([]string{"FOO", "BAR", "FOO"}), clojureSetString([]string{"BAR", "FOO"}); a != b {
		t.Errorf("%s != %s", a, b)
	}
}
