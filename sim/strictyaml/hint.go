package strictyaml

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Kebab returns s in kebab-case: service_time, serviceTime and
// ServiceTime all become service-time.
func Kebab(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case r == '_' || r == ' ':
			b.WriteByte('-')
			prevLower = false
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	return b.String()
}

// unknownKey words the refusal of key among fields (and the extra keys
// the caller reads itself), with the field to use when key is another
// spelling or an old name of one.
func unknownKey(key string, fields []Field, extra []string) string {
	k := Kebab(key)
	names := slices.Clone(extra)
	for _, f := range fields {
		names = append(names, f.Name)
	}
	for _, f := range fields {
		if f.Name == k {
			return fmt.Sprintf("unknown field %q: use %s", key, f.Name)
		}
	}
	for _, f := range fields {
		for _, old := range f.Old {
			if Kebab(old) == k {
				msg := fmt.Sprintf("%q was renamed: use %s", key, f.Name)
				if f.Type == durationType {
					msg += " with a unit (such as 1s or 500ms)"
				}
				return msg
			}
		}
	}
	if near := nearest(k, names); near != "" {
		return fmt.Sprintf("unknown field %q: did you mean %s? (known: %s)", key, near, strings.Join(names, ", "))
	}
	return fmt.Sprintf("unknown field %q (known: %s)", key, strings.Join(names, ", "))
}

// nearest returns the candidate within two edits of s, or "" when there is
// none or s is too short for a guess to mean anything.
func nearest(s string, candidates []string) string {
	if len(s) < 3 {
		return ""
	}
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// unitHint words the refusal of a bare number where a duration belongs.
func unitHint(value string) string {
	return fmt.Sprintf("%s has no unit: write %ss for %s seconds (or ms, m, h)", value, value, value)
}
