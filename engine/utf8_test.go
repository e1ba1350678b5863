package engine

import (
	"errors"
	"testing"
)

// Invalid UTF-8 in a string, a map or a list parameter is a refusal naming
// the parameter, not a service whose stored form hashes to another id.
func TestInvalidUTF8IsRefused(t *testing.T) {
	valid := Params{"cmd": "k", "cpus": 1.0, "mem": 1.0, "version": "v1"}
	for name, bad := range map[string]any{
		"version":        "v\x92",
		"env":            map[string]string{"FOO": "\xff"},
		"metadata":       map[string]string{"team": "a\xc3"},
		"allowed-params": []string{"FOO\xfe"},
	} {
		p := valid.Clone()
		p[name] = bad
		_, err := NewDescription(p, DescriptionOptions{})
		var ve *ValidationError
		if !errors.As(err, &ve) || !hasRule(ve, name, "encoding") {
			t.Errorf("%s = %q: got %v, want an encoding error naming %s", name, bad, err, name)
		}
	}
}

func hasRule(ve *ValidationError, field, rule string) bool {
	for _, f := range ve.Fields {
		if f.Field == field && f.Rule == rule {
			return true
		}
	}
	return false
}
