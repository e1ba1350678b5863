package kitchen

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// basicAuth is the check Waiter relies on when it gives an instance
// WAITER_USERNAME and WAITER_PASSWORD and then calls it with those
// credentials: a request without them gets 403. A nil *basicAuth admits
// everything.
type basicAuth struct{ want []byte }

// newBasicAuth returns nil (no check) unless both username and password are set.
func newBasicAuth(username, password string) *basicAuth {
	if username == "" || password == "" {
		return nil
	}
	return &basicAuth{want: []byte("Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password)))}
}

// openPaths stay reachable without credentials, as in the original, so that
// health checks and the simplest probes work whatever the auth setup.
var openPaths = map[string]bool{"/bad-status": true, "/sleep": true, "/status": true}

func (a *basicAuth) allows(r *request) bool {
	if a == nil || openPaths[r.path] {
		return true
	}
	got := []byte(r.Header.Get("Authorization"))
	return subtle.ConstantTimeCompare(got, a.want) == 1
}

// writeEmpty is the original's bodyless answer (used for 403).
func writeEmpty(w http.ResponseWriter, status int) {
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}
