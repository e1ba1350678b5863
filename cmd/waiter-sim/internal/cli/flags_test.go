package cli

import (
	"errors"
	"reflect"
	"testing"
)

func TestOverrides(t *testing.T) {
	if err := checkAssignments([]string{"x=1", "y=z=w"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"x": 1.0, "y": "z=w"}
	if got := overrides([]string{"x=1", " y =z=w"}); !reflect.DeepEqual(got, want) {
		t.Errorf("overrides %v, want %v", got, want)
	}
	var ue *usageError
	if err := checkAssignments([]string{"novalue"}); !errors.As(err, &ue) {
		t.Errorf("k without =v: %v, want a usage error", err)
	}
}

func TestParseValue(t *testing.T) {
	for in, want := range map[string]any{
		"0.3": 0.3, "12": 12.0, "-1": -1.0, "true": true, "false": false,
		"NaN": "NaN", "Inf": "Inf", "fast": "fast", "": "",
	} {
		if got := parseValue(in); got != want {
			t.Errorf("parseValue(%q) = %#v, want %#v", in, got, want)
		}
	}
}

func TestDirName(t *testing.T) {
	for in, want := range map[string]string{
		"spike": "spike", "scale-up-factor-0.3": "scale-up-factor-0.3",
		"../x": ".._x", "..": "_", "": "_", "a b/c": "a_b_c",
	} {
		if got := dirName(in); got != want {
			t.Errorf("dirName(%q) = %q, want %q", in, got, want)
		}
	}
}
