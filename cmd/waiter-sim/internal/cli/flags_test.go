package cli

import (
	"reflect"
	"testing"
)

func TestParseAllowsFlagsAfterArguments(t *testing.T) {
	fs := newFlags("t")
	seed := fs.Uint64("seed", 0, "")
	var set assignments
	fs.Var(&set, "set", "")
	pos, err := parse(fs, []string{"a.yaml", "--seed", "3", "b", "--set", "x=1", "--set=y=z"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pos, []string{"a.yaml", "b"}) || *seed != 3 || !isSet(fs, "seed") || isSet(fs, "other") {
		t.Errorf("pos %v seed %d", pos, *seed)
	}
	want := map[string]any{"x": 1.0, "y": "z"}
	if got := set.overrides(); !reflect.DeepEqual(got, want) {
		t.Errorf("overrides %v, want %v", got, want)
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
