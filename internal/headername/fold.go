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

// HasWaiterPrefix reports whether name starts with x-waiter- in any
// case. The fronts ask it of every header of every request, some of them
// twice: a parsed head's names are canonical, so X-Waiter- is compared
// first as a whole (a load or two, where EqualLower takes nine bytes one
// by one), and a name that does not start with an x is refused at its
// first byte.
func HasWaiterPrefix[T ~string | ~[]byte](name T) bool {
	const canonical, lower = "X-Waiter-", "x-waiter-"
	if len(name) < len(lower) {
		return false
	}
	if string(name[:len(canonical)]) == canonical {
		return true
	}
	return name[0]|0x20 == 'x' && EqualLower(name[:len(lower)], lower)
}
