package strictyaml

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[Unmarshaler]()
)

// Decode decodes n into out, which must be a non-nil pointer.
func Decode(n Node, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("strictyaml: Decode needs a non-nil pointer, got %T", out)
	}
	return decode(n, v.Elem())
}

// DecodeFields decodes the mapping n into the struct out points to, like
// Decode, but skips the keys in extra (which the caller has read) and
// ignores any Unmarshaler out has: it is how an Unmarshaler decodes its
// plain fields.
func DecodeFields(n Node, out any, extra ...string) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("strictyaml: DecodeFields needs a pointer to a struct, got %T", out)
	}
	return decodeStruct(n, v.Elem(), extra)
}

// DecodeUnion decodes the mapping n into the union struct out points to
// (see IsUnion), ignoring any Unmarshaler out has: it is how a union's
// Unmarshaler decodes before checking the result.
func DecodeUnion(n Node, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || !IsUnion(v.Elem().Type()) {
		return fmt.Errorf("strictyaml: DecodeUnion needs a pointer to a union struct, got %T", out)
	}
	return decodeUnion(n, v.Elem())
}

func decode(n Node, v reflect.Value) error {
	n.Node = at(n.Node, "").Node // follow an alias, keeping n's path and line
	if v.Kind() == reflect.Pointer {
		if n.IsNull() {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decode(n, v.Elem())
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		return v.Addr().Interface().(Unmarshaler).UnmarshalStrict(n)
	}
	if n.IsNull() {
		v.SetZero()
		return nil
	}
	if v.Type() == durationType {
		d, err := ParseDuration(n)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		if IsUnion(v.Type()) {
			return decodeUnion(n, v)
		}
		return decodeStruct(n, v, nil)
	case reflect.Slice:
		return decodeSlice(n, v)
	case reflect.Map:
		return decodeMap(n, v)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return fmt.Errorf("strictyaml: cannot decode into %s", v.Type())
		}
		x, err := decodeAny(n)
		if err != nil {
			return err
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case reflect.String:
		s, err := scalar(n, "a string")
		if err != nil {
			return err
		}
		if e, ok := reflect.Zero(v.Type()).Interface().(Enum); ok {
			if err := checkEnum(n, e.EnumValues(), s); err != nil {
				return err
			}
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		var b bool
		if err := decodeScalar(n, &b, "true or false"); err != nil {
			return err
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if err := decodeWhole(n, &i, "a whole number"); err != nil {
			return err
		}
		if v.OverflowInt(i) {
			return n.Errorf("%s is out of range", n.Value)
		}
		v.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if err := decodeWhole(n, &u, "a whole number ≥ 0"); err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return n.Errorf("%s is out of range", n.Value)
		}
		v.SetUint(u)
		return nil
	case reflect.Float32, reflect.Float64:
		f, err := ParseNumber(n)
		if err != nil {
			return err
		}
		v.SetFloat(f)
		return nil
	}
	return fmt.Errorf("strictyaml: cannot decode into %s", v.Type())
}

// ParseNumber reads n as a finite number.
func ParseNumber(n Node) (float64, error) {
	var f float64
	if err := decodeScalar(n, &f, "a number"); err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, n.Errorf("want a finite number, got %s", n.Value)
	}
	return f, nil
}

// scalar returns n's text, refusing mappings and lists.
func scalar(n Node, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", n.Errorf("want %s, got %s", want, describe(n.Node))
	}
	return n.Value, nil
}

// decodeScalar decodes the scalar n into out with yaml.v3's own rules
// for what a bool or number looks like, rewording its error.
func decodeScalar(n Node, out any, want string) error {
	if _, err := scalar(n, want); err != nil {
		return err
	}
	if err := n.Node.Decode(out); err != nil {
		return n.Errorf("want %s, got %q", want, n.Value)
	}
	return nil
}

// decodeWhole is decodeScalar for integers; yaml.v3 would truncate 1.5
// to 1 without a word.
func decodeWhole(n Node, out any, want string) error {
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!int" {
		return n.Errorf("want %s, got %q", want, n.Value)
	}
	return decodeScalar(n, out, want)
}

func checkEnum(n Node, values []string, s string) error {
	if slices.Contains(values, s) {
		return nil
	}
	if k := Kebab(s); k != s && slices.Contains(values, k) {
		return n.Errorf("unknown value %q: use %s", s, k)
	}
	msg := fmt.Sprintf("unknown value %q (one of %s)", s, strings.Join(values, ", "))
	if near := nearest(s, values); near != "" {
		msg = fmt.Sprintf("unknown value %q: did you mean %s? (one of %s)", s, near, strings.Join(values, ", "))
	}
	return n.Errorf("%s", msg)
}

func decodeStruct(n Node, v reflect.Value, extra []string) error {
	pairs, err := n.pairs()
	if err != nil {
		return err
	}
	fields := Fields(v.Type())
	present := map[string]bool{}
	for _, p := range pairs {
		if slices.Contains(extra, p.key.Value) {
			continue
		}
		i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == p.key.Value })
		if i < 0 {
			return &Error{Path: p.value.Path, Line: p.key.Line, Msg: unknownKey(p.key.Value, fields, extra)}
		}
		if p.value.IsNull() {
			continue // written but empty: the same as absent
		}
		present[p.key.Value] = true
		if err := decode(p.value, v.FieldByIndex(fields[i].Index)); err != nil {
			return err
		}
	}
	for _, f := range fields {
		switch {
		case present[f.Name]:
		case f.Required:
			return &Error{Path: JoinKey(n.Path, f.Name), Line: n.FieldLine(), Msg: "is required"}
		case f.Default != "":
			if err := applyDefault(f, v.FieldByIndex(f.Index)); err != nil {
				return err
			}
		case f.Type.Kind() == reflect.Struct && !IsUnion(f.Type) && !reflect.PointerTo(f.Type).Implements(unmarshalerType):
			// An absent section is an empty one, so that the defaults
			// of its own fields apply.
			empty := Node{Node: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.FieldLine()}, Path: JoinKey(n.Path, f.Name)}
			if err := decodeStruct(empty, v.FieldByIndex(f.Index), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyDefault decodes f's default tag into v, the way the same text
// written in the document would be.
func applyDefault(f Field, v reflect.Value) error {
	d, err := Parse([]byte(f.Default))
	if err == nil {
		err = decode(d, v)
	}
	if err != nil {
		// %v, not %w: this is a bug in the tag, and wrapping would let
		// callers take the inner *Error for a problem in the document.
		return fmt.Errorf("strictyaml: the default of %s (%q) does not decode: %v", f.Name, f.Default, err)
	}
	return nil
}

// decodeUnion decodes a union struct: the key "kind" picks the one
// pointer field to fill, and the other keys are that field's.
func decodeUnion(n Node, v reflect.Value) error {
	fields := Fields(v.Type())
	kinds := make([]string, len(fields))
	for i, f := range fields {
		kinds[i] = f.Kind
	}
	if n.Kind != yaml.MappingNode {
		return n.Errorf("want a mapping with a kind (one of %s), got %s", strings.Join(kinds, ", "), describe(n.Node))
	}
	kn, ok := n.Get("kind")
	if !ok {
		return &Error{Path: JoinKey(n.Path, "kind"), Line: n.FieldLine(), Msg: "is required (one of " + strings.Join(kinds, ", ") + ")"}
	}
	kind, err := scalar(kn, "a kind")
	if err != nil {
		return err
	}
	i := slices.Index(kinds, kind)
	if i < 0 {
		return checkEnum(kn, kinds, kind)
	}
	target := reflect.New(fields[i].Type.Elem())
	if err := DecodeFields(n, target.Interface(), "kind"); err != nil {
		return err
	}
	v.SetZero()
	v.FieldByIndex(fields[i].Index).Set(target)
	return nil
}

func decodeSlice(n Node, v reflect.Value) error {
	if n.Kind != yaml.SequenceNode {
		return n.Errorf("want a list, got %s", describe(n.Node))
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		if err := decode(at(c, JoinIndex(n.Path, i)), out.Index(i)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

func decodeMap(n Node, v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("strictyaml: cannot decode into %s: keys must be strings", v.Type())
	}
	pairs, err := n.pairs()
	if err != nil {
		return err
	}
	out := reflect.MakeMapWithSize(v.Type(), len(pairs))
	for _, p := range pairs {
		e := reflect.New(v.Type().Elem()).Elem()
		if err := decode(p.value, e); err != nil {
			return err
		}
		out.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
	}
	v.Set(out)
	return nil
}

// decodeAny decodes n into plain Go values (map[string]any, []any, string,
// bool, int, float64, nil), refusing non-finite numbers.
func decodeAny(n Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		var m map[string]any
		err := decodeMap(n, reflect.ValueOf(&m).Elem())
		return m, err
	case yaml.SequenceNode:
		var s []any
		err := decodeSlice(n, reflect.ValueOf(&s).Elem())
		return s, err
	case yaml.ScalarNode:
		var x any
		if err := n.Node.Decode(&x); err != nil {
			return nil, n.Errorf("cannot read %q: %v", n.Value, err)
		}
		if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil, n.Errorf("want a finite number, got %s", n.Value)
		}
		return x, nil
	}
	return nil, n.Errorf("unexpected %s", describe(n.Node))
}
