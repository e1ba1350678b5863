package waiterhttp

import (
	"encoding/json"
	"testing"
)

func TestInKeyOrderRendersPostedOrder(t *testing.T) {
	body := map[string]any{
		"cmd":      "x",
		"env":      map[string]any{"ZETA": "1", "ALPHA": "2", "MU": "3"},
		"metadata": map[string]any{"b": "1", "a": "<&>"},
	}
	out, err := json.Marshal(inKeyOrder(body, map[string][]string{"env": {"ZETA", "GONE", "ALPHA"}}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cmd":"x","env":{"ZETA":"1","ALPHA":"2","MU":"3"},"metadata":{"a":"\u003c\u0026\u003e","b":"1"}}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}
