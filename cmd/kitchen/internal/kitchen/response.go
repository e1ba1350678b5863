package kitchen

import (
	"errors"
	"net/http"
	"time"
)

// errAbort means the connection must be dropped without a complete
// response: the client went away, the process is dying, or the request asked
// for a broken body. ServeHTTP turns it into http.ErrAbortHandler.
var errAbort = errors.New("kitchen: abort connection")

// response is the plan for one answer. The path and header rules fill it in
// (in the original's order), then write sends it.
type response struct {
	status  int // 0 until a rule decides
	header  http.Header
	cookies [][2]string
	body    body

	chunked    bool
	chunkSize  int
	chunkDelay time.Duration
	gzip       bool

	failAfter    int64 // -1: send the whole body
	trailers     http.Header
	trailerDelay time.Duration
	excluded     map[string]bool // lower-case names of headers to leave out
}

// newResponse holds the original's defaults. Connection: close is kept on
// purpose: the Python kitchen never reused a connection, and Waiter's
// proxying was built and tested against that.
func newResponse(r *request) *response {
	cid := r.Header.Get("x-cid")
	if cid == "" {
		cid = newUUID()
	}
	return &response{
		header: http.Header{
			"Connection":   {"close"},
			"Content-Type": {"text/plain"},
			"X-Cid":        {cid},
		},
		chunkSize: defaultChunkSize,
		failAfter: -1,
		trailers:  http.Header{},
		excluded:  map[string]bool{},
	}
}

func (p *response) cid() string { return p.header.Get("X-Cid") }

// setText replaces the body with a short message.
func (p *response) setText(s string) { p.body = fixedBody([]byte(s)) }

// setJSON replaces the body with a JSON document.
func (p *response) setJSON(doc []byte) {
	p.body = fixedBody(doc)
	p.header.Set("Content-Type", "application/json")
}
