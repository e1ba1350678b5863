package strictyaml

import (
	"reflect"
	"strings"
)

// Field is one YAML field of a struct, as its tags describe it.
type Field struct {
	// Name is the YAML key (tag yaml:"name").
	Name string
	// Index is the field's index sequence in its struct (longer than one
	// for a field of a struct embedded with yaml:",inline").
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// Doc says what the field means (tag doc:"...").
	Doc string
	// Default is the YAML the decoder uses when the field is absent or
	// null (tag default:"5s"); empty when the zero value is the default.
	Default string
	// Computed describes a default worked out by code rather than
	// written in the tag (tag computed:"duration / 240"); documentation only.
	Computed string
	// Unit is the unit of a plain number (tag unit:"requests/s");
	// durations carry their unit in the value instead.
	Unit string
	// Required fields must be present (tag required:"true").
	Required bool
	// Old lists spellings the field had before (tag old:"a,b"); they are
	// refused with a hint naming the field.
	Old []string
	// Kind, on a pointer field of a union struct, is the value of the
	// union's kind key that selects this field (tag kind:"ramp").
	Kind string
}

// Fields returns the YAML fields of struct type t (or of what t points
// to), in declaration order, with the fields of a struct embedded with
// yaml:",inline" in its place. Fields without a yaml tag, or tagged "-",
// are not part of the format.
func Fields(t reflect.Type) []Field {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if opts == "inline" && sf.Type.Kind() == reflect.Struct {
			for _, f := range Fields(sf.Type) {
				f.Index = append([]int{i}, f.Index...)
				out = append(out, f)
			}
			continue
		}
		kind := sf.Tag.Get("kind")
		if (name == "" || name == "-") && kind == "" {
			continue
		}
		f := Field{Name: name, Index: []int{i}, Type: sf.Type, Doc: sf.Tag.Get("doc"),
			Default: sf.Tag.Get("default"), Computed: sf.Tag.Get("computed"), Unit: sf.Tag.Get("unit"),
			Required: sf.Tag.Get("required") == "true", Kind: kind}
		if old := sf.Tag.Get("old"); old != "" {
			f.Old = strings.Split(old, ",")
		}
		out = append(out, f)
	}
	return out
}

// IsUnion reports whether struct type t is a union: its fields are
// pointers tagged kind:"...", exactly one of which a value sets, chosen
// in YAML by the key "kind".
func IsUnion(t reflect.Type) bool {
	fs := Fields(t)
	for _, f := range fs {
		if f.Kind == "" {
			return false
		}
	}
	return len(fs) > 0
}

// Enum is a string type with a closed set of values.
type Enum interface {
	EnumValues() []string
}

// Unmarshaler is a type that decodes itself from a node; it reports
// problems with n.Errorf (or *Error values of its own) so they keep
// their path.
type Unmarshaler interface {
	UnmarshalStrict(n Node) error
}
