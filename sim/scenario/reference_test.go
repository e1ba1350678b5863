package scenario

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

// formatTypes returns every struct type the format reaches from Scenario,
// with the path of its first use, including the kinds of unions and the
// mapping forms of distributions.
func formatTypes() map[reflect.Type]string {
	seen := map[reflect.Type]string{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t == reflect.TypeFor[rng.DurationDist]() {
			t = reflect.TypeFor[rng.DurationDistForm]()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		if _, ok := seen[t]; ok {
			return
		}
		seen[t] = path
		for _, f := range strictyaml.Fields(t) {
			walk(f.Type, strictyaml.JoinKey(path, f.Name+f.Kind))
		}
	}
	walk(reflect.TypeFor[Scenario](), "")
	return seen
}

// Every key of the format says what it means, and every default tag
// decodes to a value of its field's type by the format's own rules (the
// decoder applies them, so a broken one would fail a user's file).
func TestEveryKeyIsDocumentedAndEveryDefaultDecodes(t *testing.T) {
	types := formatTypes()
	for _, want := range []reflect.Type{reflect.TypeFor[load.GapsSpec](), reflect.TypeFor[load.WeightPoint](),
		reflect.TypeFor[rng.LogNormalDurations](), reflect.TypeFor[load.TraceSpec](), reflect.TypeFor[Failure]()} {
		if _, ok := types[want]; !ok {
			t.Fatalf("the walk missed %s", want)
		}
	}
	for typ, path := range types {
		for _, f := range strictyaml.Fields(typ) {
			key := strictyaml.JoinKey(path, f.Name+f.Kind)
			if f.Doc == "" {
				t.Errorf("%s (%s) has no doc tag", key, typ)
			}
			if f.Name != "" && f.Name != strictyaml.Kebab(f.Name) {
				t.Errorf("%s is not kebab-case", key)
			}
			if f.Default == "" {
				continue
			}
			n, err := strictyaml.Parse([]byte(f.Default))
			if err == nil {
				err = strictyaml.Decode(n, reflect.New(f.Type).Interface())
			}
			if err != nil {
				t.Errorf("%s: default %q does not decode: %v", key, f.Default, err)
			}
		}
	}
}

// The reference names every key, every load and distribution kind,
// every metric and every Waiter parameter, and its example is a valid
// scenario.
func TestReferenceCoversTheFormat(t *testing.T) {
	var b strings.Builder
	if err := WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	ref := b.String()
	for typ := range formatTypes() {
		for _, f := range strictyaml.Fields(typ) {
			name := f.Name + f.Kind
			// A key's table row, a distribution's key list, a kind's heading.
			forms := []string{"| `" + name + "` |", "<br>`" + name + "` (", "| `" + name + "` (", "`kind: " + name + "`"}
			if !slices.ContainsFunc(forms, func(s string) bool { return strings.Contains(ref, s) }) {
				t.Errorf("the reference lacks %s of %s", name, typ)
			}
		}
	}
	for _, m := range Metrics {
		if !strings.Contains(ref, "| `"+m+"` |") {
			t.Errorf("the reference lacks metric %s", m)
		}
	}
	for _, p := range engine.ServiceParamNames() {
		if !strings.Contains(ref, "| `"+p+"` |") {
			t.Errorf("the reference lacks Waiter parameter %s", p)
		}
	}
	for _, link := range []string{"(#router)", "(#servicesfailure)", "(#servicessplitschedule)", "(#loads)",
		"(#distributions-of-durations)", "(#metrics)", "(#waiter-parameters)", "(#loadgaps)", "(#tracetemplate)"} {
		if !strings.Contains(ref, link) {
			t.Errorf("the reference has no link %s", link)
		}
	}
	for _, line := range strings.Split(ref, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		if s := "(#" + slug(strings.TrimLeft(line, "# ")) + ")"; !strings.Contains(ref, s) && strings.HasPrefix(line, "## `") {
			t.Errorf("nothing links to section %q", line)
		}
	}
	if _, err := Parse("example", []byte(Example)); err != nil {
		t.Fatalf("the reference's example is refused: %v", err)
	}
}

func TestSlugIsGitHubs(t *testing.T) {
	for in, want := range map[string]string{
		"`services[].split.schedule[]`": "servicessplitschedule",
		"Distributions of durations":    "distributions-of-durations",
		"Top level":                     "top-level",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
