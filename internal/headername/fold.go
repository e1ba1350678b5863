package headername

// EqualLower reports whether name equals lower, a lower-case ASCII name,
// with name's ASCII letters in any case (field names are ASCII tokens:
// no Unicode folding, no allocation, for a string or its bytes alike).
func EqualLower[T ~string | ~[]byte](name T, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
