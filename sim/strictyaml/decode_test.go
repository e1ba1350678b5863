package strictyaml

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type color string

func (color) EnumValues() []string { return []string{"dark-red", "blue"} }

type inner struct {
	Rate  float64       `yaml:"rate" unit:"requests/s"`
	Every time.Duration `yaml:"every"`
}

type shape struct {
	Square *inner `kind:"square"`
	Circle *struct {
		Radius float64 `yaml:"radius"`
	} `kind:"circle"`
}

type doc struct {
	Name   string         `yaml:"name" required:"true"`
	Count  int            `yaml:"count"`
	Seed   uint64         `yaml:"seed"`
	On     bool           `yaml:"on"`
	Wait   time.Duration  `yaml:"wait" old:"wait-seconds"`
	Color  color          `yaml:"color"`
	Inner  inner          `yaml:"inner"`
	Items  []inner        `yaml:"items"`
	Opt    *inner         `yaml:"opt"`
	Params map[string]any `yaml:"params"`
	Shape  shape          `yaml:"shape"`
	Tagged selfDecoding   `yaml:"tagged"`
	//lint:ignore U1000 an unexported field the decoder must skip (see the field-count test)
	internal int
}

// selfDecoding records the path it was decoded at.
type selfDecoding struct{ path string }

func (s *selfDecoding) UnmarshalStrict(n Node) error {
	if n.Value == "bad" {
		return n.Errorf("refused by the type itself")
	}
	s.path = n.Path
	return nil
}

func TestDecodesEveryShape(t *testing.T) {
	in := `
name: x
count: 3
seed: 18446744073709551615
on: true
wait: 1m30s
color: blue
inner: {rate: 2.5, every: 200ms}
items:
  - {rate: 1}
  - {every: 0}
opt: {rate: 4}
params: {cpus: 1, cmd: run, env: {A: b}, ports: [1, 2]}
shape: {kind: circle, radius: 2}
tagged: here
`
	var got doc
	if err := Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := doc{Name: "x", Count: 3, Seed: 1<<64 - 1, On: true, Wait: 90 * time.Second, Color: "blue",
		Inner: inner{Rate: 2.5, Every: 200 * time.Millisecond}, Items: []inner{{Rate: 1}, {}},
		Opt:    &inner{Rate: 4},
		Params: map[string]any{"cpus": 1, "cmd": "run", "env": map[string]any{"A": "b"}, "ports": []any{1, 2}},
		Shape: shape{Circle: &struct {
			Radius float64 `yaml:"radius"`
		}{Radius: 2}},
		Tagged: selfDecoding{path: "tagged"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

func TestMergeKeysAndAliases(t *testing.T) {
	in := `
name: x
items:
  - &base {rate: 1, every: 1s}
  - {<<: *base, rate: 2}
  - *base
`
	var got doc
	if err := Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := []inner{{1, time.Second}, {2, time.Second}, {1, time.Second}}
	if !reflect.DeepEqual(got.Items, want) {
		t.Fatalf("got %+v, want %+v", got.Items, want)
	}
}

// Every refusal is an *Error naming the field path and line, and says
// what to write instead when that is known.
func TestErrorsNameThePathAndWhatToWrite(t *testing.T) {
	cases := []struct{ in, path, msg string }{
		{"count: 1", "name", "is required"},
		{"name: x\nservice_time: 1s", "service_time", `unknown field "service_time" (known:`},
		{"name: x\ninner: {every_time: 1s}", "inner.every_time", "known: rate, every"},
		{"name: x\nitems: [{rate: 1}, {Rate: 2}]", "items[1].Rate", `unknown field "Rate": use rate`},
		{"name: x\nWaitSeconds: 3", "WaitSeconds", `"WaitSeconds" was renamed: use wait with a unit`},
		{"name: x\nwait_seconds: 3", "wait_seconds", `"wait_seconds" was renamed: use wait`},
		{"name: x\ncolr: blue", "colr", "did you mean color?"},
		{"name: x\nwait: 5", "wait", "5 has no unit: write 5s for 5 seconds"},
		{"name: x\ninner: {every: 0.25}", "inner.every", "write 0.25s"},
		{"name: x\nwait: five minutes", "wait", `want a duration such as 200ms, 5s or 1h30m, got "five minutes"`},
		{"name: x\nwait: [1s]", "wait", "want a duration such as 5s, got a list"},
		{"name: x\ncolor: dark_red", "color", `unknown value "dark_red": use dark-red`},
		{"name: x\ncolor: green", "color", `unknown value "green" (one of dark-red, blue)`},
		{"name: x\ninner: {rate: .nan}", "inner.rate", "want a finite number, got .nan"},
		{"name: x\ninner: {rate: -.inf}", "inner.rate", "want a finite number"},
		{"name: x\nparams: {cpus: .inf}", "params.cpus", "want a finite number"},
		{"name: x\ninner: {rate: fast}", "inner.rate", `want a number, got "fast"`},
		{"name: x\ncount: 1.5", "count", `want a whole number, got "1.5"`},
		{"name: x\ncount: 99999999999999999999", "count", "want a whole number"},
		{"name: x\nseed: -1", "seed", "want a whole number ≥ 0"},
		{"name: x\non: maybe", "on", "want true or false"},
		{"name: x\ninner: 3", "inner", `want a mapping (key: value lines), got "3"`},
		{"name: x\nitems: {rate: 1}", "items", "want a list, got a mapping"},
		{"name: x\nname: y", "name", "written twice (lines 1 and 2)"},
		{"name: x\nparams: {a: 1, a: 2}", "params.a", "written twice"},
		{"name: x\nshape: {radius: 1}", "shape.kind", "is required (one of square, circle)"},
		{"name: x\nshape: {kind: triangle}", "shape.kind", `unknown value "triangle" (one of square, circle)`},
		{"name: x\nshape: {kind: circle, rate: 1}", "shape.rate", `unknown field "rate" (known: kind, radius)`},
		{"name: x\nshape: [circle]", "shape", "want a mapping with a kind"},
		{"name: x\ntagged: bad", "tagged", "refused by the type itself"},
		{"name: x\nitems: [{<<: 3}]", "items[0]", "<< merges a mapping"},
		{"name: x\n? [a]\n: 1", "", "a key must be a plain name"},
	}
	for _, c := range cases {
		var d doc
		err := Unmarshal([]byte(c.in), &d)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error", c.in, err)
			continue
		}
		if e.Path != c.path || !strings.Contains(e.Msg, c.msg) || e.Line == 0 {
			t.Errorf("%q:\n got  path %q line %d msg %q\n want path %q msg …%s…", c.in, e.Path, e.Line, e.Msg, c.path, c.msg)
		}
	}
}

func TestErrorsCarryTheLineOfTheField(t *testing.T) {
	in := "name: x\nitems:\n  - rate: 1\n  - rate: 2\n    every: 7\n"
	var d doc
	err := Unmarshal([]byte(in), &d)
	if err == nil || err.Error() != "line 5: items[1].every: 7 has no unit: write 7s for 7 seconds (or ms, m, h)" {
		t.Fatalf("got %v", err)
	}
}

func TestParseRefusesBrokenAndHugeDocuments(t *testing.T) {
	if _, err := Parse([]byte("a: [\n")); err == nil || !strings.Contains(err.Error(), "not valid YAML") {
		t.Errorf("syntax error: got %v", err)
	}
	if _, err := Parse([]byte("a: 1\n  b: 2\n")); err == nil || err.(*Error).Line != 2 {
		t.Errorf("syntax error: got %v, want line 2", err)
	}
	if _, err := Parse(nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty: got %v", err)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 6; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	if _, err := Parse([]byte(bomb)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("alias bomb: got %v", err)
	}
}

func TestLocateFollowsPaths(t *testing.T) {
	n, err := Parse([]byte("a:\n  of:\n    - x: 1\n    - x: 2\n      y: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	for rel, line := range map[string]int{"a.of[1].y": 5, "a.of[0]": 3, "a.of[7].y": 2, "a.zz": 1, "": 1} {
		if got := n.Locate(rel); got.FieldLine() != line {
			t.Errorf("Locate(%q) = line %d, want %d", rel, got.FieldLine(), line)
		}
	}
	if got := n.Locate("a.of[1].y").Path; got != "a.of[1].y" {
		t.Errorf("path %q", got)
	}
}

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"service_time": "service-time", "serviceTime": "service-time", "ServiceTime": "service-time",
		"p99_latency_ms": "p99-latency-ms", "agent-cpus": "agent-cpus", "APILatency": "apilatency",
	} {
		if got := Kebab(in); got != want {
			t.Errorf("Kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldsReadTheTags(t *testing.T) {
	fs := Fields(reflect.TypeFor[*doc]())
	if len(fs) != 12 {
		t.Fatalf("got %d fields, want 12 (internal has no tag)", len(fs))
	}
	if f := fs[0]; f.Name != "name" || !f.Required {
		t.Errorf("name: %+v", f)
	}
	if f := fs[4]; f.Name != "wait" || !reflect.DeepEqual(f.Old, []string{"wait-seconds"}) {
		t.Errorf("wait: %+v", f)
	}
	if f := Fields(reflect.TypeFor[inner]())[0]; f.Unit != "requests/s" {
		t.Errorf("rate: %+v", f)
	}
	if !IsUnion(reflect.TypeFor[shape]()) || IsUnion(reflect.TypeFor[inner]()) {
		t.Error("IsUnion is wrong")
	}
}

type embedded struct {
	Color color `yaml:"color" default:"blue"`
}

type section struct {
	Every time.Duration `yaml:"every" default:"1s"`
}

type withDefaults struct {
	Section  section       `yaml:"section"`
	Wait     time.Duration `yaml:"wait" default:"5s"`
	Rate     float64       `yaml:"rate" default:"2.5"`
	Opt      *inner        `yaml:"opt" default:"{rate: 1, every: 1m}"`
	Plain    int           `yaml:"plain"`
	embedded `yaml:",inline"`
}

// A default applies when the key is absent or written empty, and is
// decoded by the same rules as the document; an absent section gets the
// defaults of its fields; an inline struct's fields are keys of the
// outer mapping.
func TestDefaultsAndInlineFields(t *testing.T) {
	cases := map[string]withDefaults{
		"{}":                                {Section: section{time.Second}, Wait: 5 * time.Second, Rate: 2.5, Opt: &inner{Rate: 1, Every: time.Minute}, embedded: embedded{Color: "blue"}},
		"wait: 1s\nopt: ~\ncolor: dark-red": {Section: section{time.Second}, Wait: time.Second, Rate: 2.5, Opt: &inner{Rate: 1, Every: time.Minute}, embedded: embedded{Color: "dark-red"}},
		"rate: 0\nopt: {rate: 3}\nplain: 4\nsection: {every: 2s}": {Section: section{2 * time.Second}, Wait: 5 * time.Second, Opt: &inner{Rate: 3}, Plain: 4, embedded: embedded{Color: "blue"}},
	}
	for in, want := range cases {
		var got withDefaults
		if err := Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got  %+v\n want %+v", in, got, want)
		}
	}
	var d withDefaults
	if err := Unmarshal([]byte("colour: blue"), &d); err == nil || !strings.Contains(err.Error(), "did you mean color?") {
		t.Errorf("an inline field is not offered as a hint: %v", err)
	}
	var r doc
	if err := Unmarshal([]byte("name: ~"), &r); err == nil || !strings.Contains(err.Error(), "name: is required") {
		t.Errorf("an empty required field: %v", err)
	}
	fs := Fields(reflect.TypeFor[withDefaults]())
	if last := fs[len(fs)-1]; last.Name != "color" || !reflect.DeepEqual(last.Index, []int{5, 0}) {
		t.Errorf("inline field: %+v", last)
	}
}

func TestABrokenDefaultTagIsAProgrammingError(t *testing.T) {
	type broken struct {
		Wait time.Duration `yaml:"wait" default:"5"`
	}
	var b broken
	err := Unmarshal([]byte("{}"), &b)
	if err == nil || !strings.Contains(err.Error(), `the default of wait ("5") does not decode`) {
		t.Fatalf("got %v", err)
	}
}
