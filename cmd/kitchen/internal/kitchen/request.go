package kitchen

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
)

// request is an incoming request as the kitchen sees it: the raw request
// target split the way the original splits it, and what reading the body
// found.
type request struct {
	*http.Request
	method   string // lower case, as the original reports it
	path     string // raw path of the request target, not unescaped
	rawQuery string
	hasQuery bool // the target had a "?", even with nothing after it
	query    url.Values
	chunked  bool // the request body was sent chunked

	bodyLen int64  // bytes of request body read
	body    []byte // the request body, kept only for x-kitchen-echo

	// connRequests is how many requests the connection carried, this
	// one included (0: not through a server, a test's recorder).
	connRequests int64
}

// connRequestsKey is the context key of a connection's request count
// (Serve sets it for every connection).
type connRequestsKey struct{}

func newRequest(r *http.Request) *request {
	target := r.RequestURI
	if target == "" { // a Request built by client code rather than parsed by a server
		target = r.URL.RequestURI()
	}
	path, rawQuery, hasQuery := strings.Cut(target, "?")
	// A malformed pair is dropped rather than refused: the original never
	// rejected a query string.
	query, _ := url.ParseQuery(rawQuery)
	var onConn int64
	if n, ok := r.Context().Value(connRequestsKey{}).(*atomic.Int64); ok {
		onConn = n.Add(1)
	}
	return &request{
		connRequests: onConn,
		Request:      r,
		method:       strings.ToLower(r.Method),
		path:         path,
		rawQuery:     rawQuery,
		hasQuery:     hasQuery,
		query:        query,
		chunked:      slices.Contains(r.TransferEncoding, "chunked"),
	}
}

// readBody consumes the whole request body, keeping it when keep is set. A
// body cut short by the client is errAbort: the original dropped such a
// connection without answering.
func (r *request) readBody(keep bool) error {
	var err error
	if keep {
		r.body, err = io.ReadAll(r.Body)
		r.bodyLen = int64(len(r.body))
	} else {
		r.bodyLen, err = io.Copy(io.Discard, r.Body)
	}
	if err != nil {
		return fmt.Errorf("%w: read request body: %w", errAbort, err)
	}
	return nil
}

// info is the /request-info document (also the source of the
// ?include=request-info headers). Header names are lower case and, as in the
// original, the last value of a repeated header wins; authorization and
// cookie values are truncated so the document never echoes a credential.
func (r *request) info() map[string]any {
	info := map[string]any{
		"protocol-version": serverProtocol,
		"request-version":  r.Proto,
		"request-length":   r.bodyLen,
		"request-method":   r.method,
		"uri":              r.path,
	}
	if r.connRequests > 0 {
		// Beyond the original: a test tells from it whether a request
		// came on a connection that carried others before (Waiter sends
		// a cold start's first request on its health check's).
		info["connection-requests"] = r.connRequests
	}
	headers := map[string]any{}
	for name, values := range r.Header {
		if len(values) > 0 {
			headers[strings.ToLower(name)] = values[len(values)-1]
		}
	}
	// net/http moves these out of Header; the original reported them.
	if r.Host != "" {
		headers["host"] = r.Host
	}
	if len(r.TransferEncoding) > 0 {
		headers["transfer-encoding"] = strings.Join(r.TransferEncoding, ", ")
	}
	if v, ok := headers["authorization"].(string); ok {
		headers["authorization"] = truncate(v, 15)
	}
	if v, ok := headers["cookie"].(string); ok {
		var cookies []string
		for _, c := range strings.Split(v, ";") {
			if c != "" {
				cookies = append(cookies, truncate(c, 25))
			}
		}
		headers["cookie"] = cookies
	}
	if len(headers) > 0 {
		info["headers"] = headers
	}
	if r.hasQuery {
		info["query-string"] = r.rawQuery
	}
	return info
}

// serverProtocol is the protocol the kitchen answers with; the original
// reported its own protocol_version, always HTTP/1.1.
const serverProtocol = "HTTP/1.1"

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
