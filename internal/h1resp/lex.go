package h1resp

import "bytes"

// Character classes and list helpers of RFC 9110 section 5, shared by
// head fields and trailer fields.

// tchar marks the bytes of a token (RFC 9110 5.6.2).
var tchar = func() (t [256]bool) {
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	return t
}()

// valueByte marks the bytes a field value may hold (not badValueByte).
var valueByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = !badValueByte(byte(c))
	}
	return t
}()

// badValueByte reports a byte a field value (or reason phrase, or chunk
// extension) must not hold: a control character other than HTAB. CR and
// LF are among them, so a value can never end a line early.
func badValueByte(b byte) bool { return b < ' ' && b != '\t' || b == 0x7f }

func isOWS(b byte) bool { return b == ' ' || b == '\t' }

func trimOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold reports whether b is lower (given in lower case) in any
// ASCII case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v (RFC 9110 5.6.1)
// has the element tok (given in lower case), in any ASCII case.
func hasToken(v []byte, tok string) bool {
	for {
		i := bytes.IndexByte(v, ',')
		if i < 0 {
			return equalFold(trimOWS(v), tok)
		}
		if equalFold(trimOWS(v[:i]), tok) {
			return true
		}
		v = v[i+1:]
	}
}
