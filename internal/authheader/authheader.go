// Package authheader reads credentials out of Authorization headers, for
// every authenticator (the jwt and kerberos adapters) to do it one way.
package authheader

import (
	"net/http"
	"strings"
)

// Credential returns the first credential of the given scheme in the
// Authorization header(s), which Waiter reads as comma-separated entries;
// the scheme is case-insensitive (RFC 9110 11.1). "" when there is none.
func Credential(h http.Header, scheme string) string {
	for _, v := range h.Values("Authorization") {
		for _, entry := range strings.Split(v, ",") {
			entry = strings.TrimSpace(entry)
			if len(entry) > len(scheme) && strings.EqualFold(entry[:len(scheme)], scheme) && entry[len(scheme)] == ' ' {
				return strings.TrimSpace(entry[len(scheme)+1:])
			}
		}
	}
	return ""
}
