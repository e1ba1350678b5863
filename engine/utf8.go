package engine

import "unicode/utf8"

// validUTF8 reports whether every string in a coerced parameter value
// (a string, the keys and values of a map, the items of a list) is valid
// UTF-8. Descriptions are stored as JSON, which replaces invalid bytes with
// U+FFFD: a description holding them would hash to a service id that its
// stored form no longer reproduces, so such values are refused up front.
func validUTF8(v any) bool {
	switch t := v.(type) {
	case string:
		return utf8.ValidString(t)
	case map[string]string:
		for k, s := range t {
			if !utf8.ValidString(k) || !utf8.ValidString(s) {
				return false
			}
		}
	case []string:
		for _, s := range t {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}
