package cli

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokenFieldFlags(t *testing.T) {
	got, err := tokenFieldFlags([]string{"create", "web", "--cpus", "0.1", "--version=v1", "--env.FOO", "a b", "--cluster", "dev",
		"--metadata.team=x", "--json", "f.json", "--", "--mem", "1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create", "web", "--param", "cpus=0.1", "--param", "version=v1", "--param", "env.FOO=a b", "--cluster", "dev",
		"--param", "metadata.team=x", "--json", "f.json", "--", "--mem", "1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	same := []string{"show", "web", "--cpus", "1"}
	if got, _ := tokenFieldFlags(same); !reflect.DeepEqual(got, same) {
		t.Errorf("only create, update and init take fields: %q", got)
	}
	if _, err := tokenFieldFlags([]string{"update", "web", "--mem"}); err == nil || !strings.Contains(err.Error(), "--mem needs a value") {
		t.Errorf("a field without its value: %v", err)
	}
}

func TestFieldsAreTypedAsWaiterTypesHeaders(t *testing.T) {
	got, err := fieldsFromFlags([]string{"cpus=0.5", "mem=256", "version=1", "cmd=true", "min-instances=2",
		"fallback-period-secs=30", "https-redirect=true", "owner=42", "env.N=7", "metadata.m=yes", "allowed-params=A,B",
		"health-check-url=/x"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"cpus": 0.5, "mem": 256.0, "version": "1", "cmd": "true", "min-instances": 2.0,
		"fallback-period-secs": 30.0, "https-redirect": true, "owner": "42", "env": map[string]any{"N": "7"},
		"metadata": map[string]any{"m": "yes"}, "allowed-params": "A,B", "health-check-url": "/x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if _, err := fieldsFromFlags([]string{"=1"}); err == nil {
		t.Error("a field without a name must be refused")
	}
}

func TestDeepMerge(t *testing.T) {
	got := deepMerge(map[string]any{"env": map[string]any{"A": "1", "B": "2"}, "cpus": 1.0},
		map[string]any{"env": map[string]any{"B": "3"}, "mem": 64.0})
	want := map[string]any{"env": map[string]any{"A": "1", "B": "3"}, "cpus": 1.0, "mem": 64.0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}
