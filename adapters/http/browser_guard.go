package waiterhttp

import (
	"mime"
	"net/http"
	"regexp"
)

// suspendResumePath matches the two API routes that change state whatever
// the method: Waiter does not check the method of suspend and resume, so
// a GET (which any page can trigger with an image tag) suspends too.
var suspendResumePath = regexp.MustCompile(`^/apps/[^/]+/(suspend|resume)$`)

// changesState reports whether an API request may change the router's
// state: every POST, PUT, DELETE and PATCH, and suspend or resume by any
// method.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return suspendResumePath.MatchString(r.URL.Path)
}

// guardBrowser applies the browser-safety rules to an API request that
// changes state, before anyone is authenticated: the page that made the
// browser send it must be the router or an allowed origin (origin.go),
// and a body must be JSON. A cross-origin page can send text/plain, form
// and multipart bodies without a CORS preflight; requiring JSON forces a
// preflight, which refuses what the origin rule refuses.
func (s *Server) guardBrowser(r *http.Request) *Error {
	if !changesState(r) {
		return nil
	}
	if herr := s.origins.check(r); herr != nil {
		return herr
	}
	return requireJSON(r)
}

// requireJSON accepts a request whose Content-Type is application/json,
// or that has neither a body nor a Content-Type (Waiter's clients send
// DELETE, suspend and kill without either). Any other Content-Type is 415,
// with or without a body, and so is a body without one.
func requireJSON(r *http.Request) *Error {
	ct := r.Header.Get("Content-Type")
	// ContentLength is -1 when the length is unknown (chunked): a body.
	hasBody := r.ContentLength != 0
	if ct == "" && !hasBody {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == ctJSON {
		return nil
	}
	got := ct
	if got == "" {
		got = "none"
	}
	return &Error{Status: http.StatusUnsupportedMediaType,
		Message: "Unsupported Media Type: " + r.Method + " " + r.URL.Path +
			" needs Content-Type: application/json (got " + got + ")",
		Details: map[string]any{"content-type": ct}}
}
