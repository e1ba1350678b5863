package kitchen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// applyPath is what the path alone decides (the original's
// __process_path). It runs before the header rules, so /sleep sleeps and
// /die exits before the request body is read. Paths without a rule get
// "Hello World"; that is how /status and Waiter's POST /endpoint are served.
func (h *Handler) applyPath(ctx context.Context, r *request, p *response) (asyncOp, error) {
	var op asyncOp
	switch r.path {
	case "/async/request":
		op = asyncOp{kind: asyncCreate, processing: defaultAsyncProcessing, linger: defaultAsyncLinger}
	case "/async/status":
		op = asyncOp{kind: asyncStatus, id: r.query.Get("request-id")}
	case "/async/result":
		op = asyncOp{kind: asyncResult, id: r.query.Get("request-id")}

	case "/bad-status":
		code, err := queryStatus(r, http.StatusInternalServerError)
		if err != nil {
			return op, err
		}
		p.status = code

	case "/sleep":
		code, err := queryStatus(r, http.StatusOK)
		if err != nil {
			return op, err
		}
		d, err := queryMillis(r, "sleep-ms")
		if err != nil {
			return op, err
		}
		p.status = code
		if err := sleep(ctx, d); err != nil {
			return op, err
		}

	case "/chunked":
		p.chunked = true
		p.body = loremBody(maxResponseSize)
	case "/unchunked":
		p.body = loremBody(maxResponseSize)
	case "/gzip":
		p.gzip = true
		p.header.Set("Content-Encoding", "gzip")
		p.body = loremBody(maxResponseSize)

	case "/die":
		h.terminate("/die endpoint")
		// Only reached when exit is faked (tests): drop the connection as
		// the dead process would.
		return op, fmt.Errorf("%w: /die", errAbort)

	case "/environment":
		doc, err := json.Marshal(h.environment())
		if err != nil {
			return op, fmt.Errorf("kitchen: encode environment: %w", err)
		}
		p.setJSON(doc)
	case "/kitchen-state":
		doc, err := json.Marshal(h.kitchenState())
		if err != nil {
			return op, fmt.Errorf("kitchen: encode kitchen state: %w", err)
		}
		p.setJSON(doc)
	case "/request-info":
		// The document needs the body length, so it is built after the
		// body is read (apply.go).
		p.header.Set("Content-Type", "application/json")
	}
	if p.body.data == nil {
		p.setText("Hello World")
	}
	return op, nil
}

// environment is the process environment minus any variable whose name
// contains "password", so /environment never leaks WAITER_PASSWORD.
func (h *Handler) environment() map[string]string {
	env := map[string]string{}
	for _, kv := range h.environ() {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.Contains(strings.ToLower(k), "password") {
			env[k] = v
		}
	}
	return env
}

// queryStatus reads ?status=, or def when absent.
func queryStatus(r *request, def int) (int, error) {
	if !r.query.Has("status") {
		return def, nil
	}
	return parseStatus("query parameter status", r.query.Get("status"))
}

// queryMillis reads a non-negative ?name= in milliseconds, 0 when absent.
func queryMillis(r *request, name string) (time.Duration, error) {
	if !r.query.Has(name) {
		return 0, nil
	}
	v := r.query.Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: query parameter %s %q: must be a non-negative integer", errBadInput, name, v)
	}
	return time.Duration(n) * time.Millisecond, nil
}
