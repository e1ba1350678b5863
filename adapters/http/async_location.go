package waiterhttp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The pure rules of Waiter's async protocol (async_request.clj and
// extract-async-request-response-data in process_request.clj): which
// responses start an async request, how a Location is normalized, the
// router URL that replaces it, and the status-check cadence.

// normalizeLocation resolves location against the backend endpoint it
// came from. A result on the same scheme, host and port comes back
// relative ("/async/status?x=1"); anything else stays absolute. An empty
// location is "" (normalize-location-header).
func normalizeLocation(endpoint *url.URL, location string) string {
	if strings.TrimSpace(location) == "" {
		return ""
	}
	loc, err := url.Parse(location)
	if err != nil {
		// Not a URL at all: never relative, so never async.
		return location
	}
	abs := endpoint.ResolveReference(loc)
	if abs.Scheme != endpoint.Scheme || abs.Host != endpoint.Host || abs.User != nil {
		return abs.String()
	}
	rel := abs.EscapedPath()
	if rel == "" {
		rel = "/"
	}
	if abs.RawQuery != "" || abs.ForceQuery {
		rel += "?" + abs.RawQuery
	}
	return rel
}

// asyncLocation reports whether a backend response starts an async
// request: a 202 whose Location, split from its query, is relative to the
// endpoint that answered. It returns that location (a path) and the query
// to send with every status check.
func asyncLocation(endpoint *url.URL, status int, h http.Header) (location, query string, ok bool) {
	if status != http.StatusAccepted {
		return "", "", false
	}
	raw := h.Get("Location")
	raw, query, _ = strings.Cut(raw, "?")
	base := *endpoint
	base.RawQuery, base.ForceQuery = "", false
	location = normalizeLocation(&base, raw)
	if !strings.HasPrefix(location, "/") {
		return "", "", false
	}
	return location, query, true
}

// asyncRef names one async request in the router URLs that stand for it.
type asyncRef struct {
	RequestID string
	RouterID  string
	ServiceID string
	Host      string
	Port      int
}

// asyncURI is Waiter's v1 route for an action (status, result) on an
// async request: /waiter-async/<action>/<request-id>/<router-id>/
// <service-id>/<host>/<port><location>, then ?query when there is one
// (route-params->uri). location starts with a slash.
func asyncURI(action string, ref asyncRef, location, query string) string {
	var b strings.Builder
	b.WriteString("/waiter-async/")
	b.WriteString(action)
	b.WriteByte('/')
	b.WriteString(url.QueryEscape(ref.RequestID))
	b.WriteByte('/')
	b.WriteString(url.QueryEscape(ref.RouterID))
	b.WriteByte('/')
	b.WriteString(ref.ServiceID)
	b.WriteByte('/')
	b.WriteString(ref.Host)
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(ref.Port))
	b.WriteString(location)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String()
}

// asyncMaxStatusChecks bounds the status checks of one async request
// (async-request-max-status-checks, 50).
const asyncMaxStatusChecks = 50

// asyncCheckInterval is the interval between status checks: the one asked
// for, stretched so that no more than asyncMaxStatusChecks fit in the
// request's timeout (sanitize-check-interval).
func asyncCheckInterval(timeout, asked time.Duration) time.Duration {
	floor := timeout / asyncMaxStatusChecks
	// Waiter works in whole milliseconds.
	floor -= floor % time.Millisecond
	if asked >= floor {
		return asked
	}
	return floor
}

// asyncCheck is what the monitor makes of one status check's answer.
type asyncCheck int

const (
	asyncPending   asyncCheck = iota // still running: check again
	asyncCompleted                   // done (or gone, or unknown): release the instance
)

// classifyAsyncStatus reads a status check's answer (monitor-async-request):
// 200 means still processing, a 303 to a relative location means the
// result waits on the instance (keep it reserved until it is fetched),
// anything else completes the request.
func classifyAsyncStatus(endpoint *url.URL, status int, h http.Header) asyncCheck {
	switch status {
	case http.StatusOK:
		return asyncPending
	case http.StatusSeeOther:
		if strings.HasPrefix(normalizeLocation(endpoint, h.Get("Location")), "/") {
			return asyncPending
		}
	}
	return asyncCompleted
}

// statusEndsAsync reports whether a client's own status call, proxied to
// the instance, ends the async request (async-status-handler): a GET that
// finds it gone or done elsewhere, or a DELETE the instance accepted.
func statusEndsAsync(method string, endpoint *url.URL, status int, h http.Header) bool {
	switch method {
	case http.MethodGet:
		if status == http.StatusGone {
			return true
		}
		return status == http.StatusSeeOther && !strings.HasPrefix(normalizeLocation(endpoint, h.Get("Location")), "/")
	case http.MethodDelete:
		return status == http.StatusOK || status == http.StatusNoContent
	}
	return false
}
