package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// NormalizeValue converts a Go value decoded from JSON or YAML into the
// shapes Params holds: numbers become float64, []any of strings becomes
// []string, map[string]any of strings becomes map[string]string. Values it
// cannot convert are returned unchanged so that validation can name them.
func NormalizeValue(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case int8:
		return float64(t)
	case int16:
		return float64(t)
	case int32:
		return float64(t)
	case int64:
		return float64(t)
	case uint:
		return float64(t)
	case uint8:
		return float64(t)
	case uint16:
		return float64(t)
	case uint32:
		return float64(t)
	case uint64:
		return float64(t)
	case float32:
		return float64(t)
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return v
			}
			out = append(out, s)
		}
		return out
	case map[string]any:
		out := make(map[string]string, len(t))
		for k, e := range t {
			s, ok := e.(string)
			if !ok {
				return v
			}
			out[k] = s
		}
		return out
	}
	return v
}

// NormalizeParams returns a copy of p with every value normalized.
func NormalizeParams(p map[string]any) Params {
	out := make(Params, len(p))
	for k, v := range p {
		out[k] = NormalizeValue(v)
	}
	return out
}

// coerce checks that v has the kind a parameter needs and returns it in
// canonical form. Integers must be whole numbers.
func coerce(spec *paramSpec, v any) (any, *FieldError) {
	bad := func() (any, *FieldError) {
		return nil, &FieldError{Field: spec.name, Rule: "type", Message: "must be " + spec.kind.String() + " (got " + describeValue(v) + ")"}
	}
	switch spec.kind {
	case kindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindInt:
		f, ok := v.(float64)
		if ok && f == math.Trunc(f) && (f < -maxExactInteger || f > maxExactInteger) {
			// Beyond ±2^53 a float64 does not hold every integer, and
			// int64(f) is undefined past 2^63: refuse before converting.
			return nil, &FieldError{Field: spec.name, Rule: "range", Message: "must be an integer between " +
				strconv.Itoa(-maxExactInteger) + " and " + strconv.Itoa(maxExactInteger) + " (got " + fmtNum(f) + ")"}
		}
		if ok && f == float64(int64(f)) {
			return f, nil
		}
	case kindNumber:
		if f, ok := v.(float64); ok {
			return f, nil
		}
	case kindStringMap:
		if m, ok := v.(map[string]string); ok {
			return m, nil
		}
	case kindStringList:
		switch t := v.(type) {
		case []string:
			return t, nil
		case string: // a header carries a comma-separated list
			return splitList(t), nil
		}
	}
	return bad()
}

func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(t)
	case float64:
		return "number " + strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(t)
	}
	return fmt.Sprintf("%T", v)
}

// canonicalString renders a value for the service-id hash as Clojure's str
// does (clojurestr.go), so ids equal Waiter's; maps print in sorted key
// order (canonicalOrdered takes their insertion order).
func canonicalString(v any) string { return canonicalOrdered(v, nil) }

// canonicalOrdered is canonicalString with a map's keys inserted in order.
func canonicalOrdered(v any, order []string) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case map[string]string:
		return clojureMapString(t, order)
	case []string:
		return clojureSetString(t)
	}
	return fmt.Sprintf("%v", v)
}
