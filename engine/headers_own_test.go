package engine

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// Own's copy equals the parse and holds no string that lies in the text
// the headers were cut from, at any depth (params, env and metadata maps,
// lists, tokens, param env, ignored names, the maps' key order).
func TestOwnSharesNoStringWithTheRequest(t *testing.T) {
	fields := [][2]string{
		{"X-Waiter-Cmd", "kitchen -p $PORT0"}, {"X-Waiter-Cpus", "0.5"}, {"X-Waiter-Mem", "128"},
		{"X-Waiter-Version", "v1"}, {"X-Waiter-Name", "own"}, {"X-Waiter-Env-FOO", "bar"},
		{"X-Waiter-Env-ABC", "def"}, {"X-Waiter-Metadata-Team", "infra"}, {"X-Waiter-Param-LEVEL", "3"},
		{"X-Waiter-Token", "tok-a,tok-b"}, {"X-Waiter-Allowed-Users", "alice,bob"}, {"X-Waiter-Nonsense", "1"},
	}
	// Every name and value is cut from one text, as a request head's are.
	var text strings.Builder
	for _, f := range fields {
		text.WriteString(f[0] + f[1])
	}
	blob := text.String()
	h, raw, at := map[string][]string{}, []string(nil), 0
	for _, f := range fields {
		name, value := blob[at:at+len(f[0])], blob[at+len(f[0]):at+len(f[0])+len(f[1])]
		at += len(f[0]) + len(f[1])
		h[name] = []string{value}
		raw = append(raw, name)
	}
	hp, err := ParseWireHeaders(h, raw)
	if err != nil {
		t.Fatal(err)
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(blob)))
	inBlob := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return len(s) > 0 && p >= lo && p < lo+uintptr(len(blob))
	}
	if n := countStrings(reflect.ValueOf(hp), inBlob); n == 0 {
		t.Fatal("the parse holds no string of the text: the test proves nothing")
	}
	own := hp.Own()
	if !reflect.DeepEqual(own, hp) {
		t.Fatalf("Own changed the parse:\n%+v\nwant\n%+v", own, hp)
	}
	if n := countStrings(reflect.ValueOf(own), inBlob); n > 0 {
		t.Errorf("Own's copy holds %d strings of the request's text", n)
	}
}

// countStrings counts the strings reachable from v for which in holds,
// map keys included.
func countStrings(v reflect.Value, in func(string) bool) int {
	switch v.Kind() {
	case reflect.String:
		if in(v.String()) {
			return 1
		}
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			return countStrings(v.Elem(), in)
		}
	case reflect.Slice, reflect.Array:
		n := 0
		for i := range v.Len() {
			n += countStrings(v.Index(i), in)
		}
		return n
	case reflect.Map:
		n := 0
		for it := v.MapRange(); it.Next(); {
			n += countStrings(it.Key(), in) + countStrings(it.Value(), in)
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			n += countStrings(v.Field(i), in)
		}
		return n
	}
	return 0
}
