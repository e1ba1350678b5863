package peerauth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Header is the request header that carries a router's signature.
const Header = "X-Waiter-Router-Auth"

// scheme versions the signed text: a change to it is a new scheme.
const scheme = "v1"

// Limits of the header's fields, so a parser never holds more than a
// header's worth of input.
const (
	maxIDLen    = 256
	nonceLen    = 16 // bytes, before encoding
	sigLen      = 32 // HMAC-SHA256
	maxHeaderSz = 2048
)

// Credentials are the fields of one X-Waiter-Router-Auth header.
type Credentials struct {
	// From and To are the source and destination router ids.
	From, To string
	// UnixMilli is when the caller signed.
	UnixMilli int64
	// Nonce is random per request (16 bytes).
	Nonce []byte
	// Sig is the HMAC-SHA256 of the canonical text (32 bytes).
	Sig []byte
}

// b64 encodes the nonce and the signature. Decoding is strict, so each
// value has one spelling: its unused trailing bits must be zero.
var b64 = base64.RawURLEncoding.Strict()

// String formats c as the header's value:
// v1 from=ID,to=ID,ts=MILLIS,nonce=B64,sig=B64 (ids query-escaped).
func (c Credentials) String() string {
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString(" from=")
	b.WriteString(escapeID(c.From))
	b.WriteString(",to=")
	b.WriteString(escapeID(c.To))
	b.WriteString(",ts=")
	b.WriteString(strconv.FormatInt(c.UnixMilli, 10))
	b.WriteString(",nonce=")
	b.WriteString(b64.EncodeToString(c.Nonce))
	b.WriteString(",sig=")
	b.WriteString(b64.EncodeToString(c.Sig))
	return b.String()
}

// ErrMalformed is wrapped by every error ParseHeader returns.
var ErrMalformed = errors.New("malformed " + Header + " header")

// ParseHeader reads a header value written by Credentials.String. Each
// field must appear exactly once; nothing else may.
func ParseHeader(v string) (Credentials, error) {
	var c Credentials
	if len(v) > maxHeaderSz {
		return c, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxHeaderSz)
	}
	rest, ok := strings.CutPrefix(v, scheme+" ")
	if !ok {
		return c, fmt.Errorf("%w: want scheme %q", ErrMalformed, scheme)
	}
	seen := map[string]bool{}
	for _, field := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(field, "=")
		if !ok {
			return c, fmt.Errorf("%w: field %q has no value", ErrMalformed, truncate(field))
		}
		if seen[k] {
			return c, fmt.Errorf("%w: field %q repeated", ErrMalformed, truncate(k))
		}
		seen[k] = true
		var err error
		switch k {
		case "from":
			c.From, err = unescapeID(val)
		case "to":
			c.To, err = unescapeID(val)
		case "ts":
			c.UnixMilli, err = strconv.ParseInt(val, 10, 64)
			if err == nil && c.UnixMilli <= 0 {
				err = errors.New("not positive")
			}
		case "nonce":
			c.Nonce, err = decodeFixed(val, nonceLen)
		case "sig":
			c.Sig, err = decodeFixed(val, sigLen)
		default:
			return c, fmt.Errorf("%w: unknown field %q", ErrMalformed, truncate(k))
		}
		if err != nil {
			return c, fmt.Errorf("%w: field %s: %v", ErrMalformed, k, err)
		}
	}
	for _, k := range []string{"from", "to", "ts", "nonce", "sig"} {
		if !seen[k] {
			return c, fmt.Errorf("%w: field %s missing", ErrMalformed, k)
		}
	}
	return c, nil
}

// decodeFixed decodes s, which must be n bytes in canonical encoding. The
// length of s alone does not say so: the decoder skips CR and LF even in
// strict mode, so 43 characters with a CR among them held 31 bytes, a
// signature of the wrong size (found by FuzzParseHeader). The decoded
// length is what is checked.
func decodeFixed(s string, n int) ([]byte, error) {
	if b64.EncodedLen(n) != len(s) {
		return nil, fmt.Errorf("want %d bytes", n)
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) != n {
		return nil, fmt.Errorf("want %d bytes", n)
	}
	return b, nil
}

// escapeID percent-escapes the characters the header's syntax uses, so
// any router id round-trips.
func escapeID(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c == '%' || c == ',' || c == '=' || c == ' ' || c < 0x21 || c > 0x7e:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func unescapeID(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("bad escape")
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", errors.New("bad escape")
		}
		b.WriteByte(byte(n))
		i += 2
	}
	if b.Len() > maxIDLen {
		return "", fmt.Errorf("longer than %d bytes", maxIDLen)
	}
	return b.String(), nil
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
