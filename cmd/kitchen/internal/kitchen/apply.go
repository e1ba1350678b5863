package kitchen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// applyOptions acts on the request's x-kitchen-* headers, in the original's
// order (__process_headers): the delay comes before the body is read, so a
// delayed backend has not consumed the request yet, and the response size
// applies to whatever body the path or the echo chose.
func (h *Handler) applyOptions(ctx context.Context, r *request, o options, p *response, op *asyncOp) error {
	if o.chunked {
		p.chunked = true
	}
	if o.chunkSize > 0 {
		p.chunkSize = o.chunkSize
	}
	p.chunkDelay = o.chunkDelay
	if o.actBusy {
		p.status = http.StatusServiceUnavailable
	}
	if o.contentType != "" {
		p.header.Set("Content-Type", o.contentType)
	}
	p.cookies = o.cookies

	if o.hasDelay {
		if op.kind != asyncNone {
			op.processing = o.delay // an async request's delay is its processing time
		} else if err := sleep(ctx, o.delay); err != nil {
			return err
		}
	}
	if o.hasDieAfter {
		source := fmt.Sprintf("header after %d milliseconds", o.dieAfter.Milliseconds())
		time.AfterFunc(o.dieAfter, func() { h.terminate(source) })
	}

	if err := r.readBody(o.echo); err != nil {
		return err
	}
	if o.echo {
		p.body = fixedBody(r.body)
	}
	if r.path == "/request-info" {
		doc, err := json.Marshal(r.info())
		if err != nil {
			return fmt.Errorf("kitchen: encode request info: %w", err)
		}
		p.setJSON(doc)
	}
	if r.query.Get("include") == "request-info" {
		// The original set these before reading the body and so always
		// reported a request length of 0; this reports the real length.
		p.header.Set("X-Kitchen-Protocol-Version", serverProtocol)
		p.header.Set("X-Kitchen-Request-Length", strconv.FormatInt(r.bodyLen, 10))
		p.header.Set("X-Kitchen-Request-Method", r.method)
		p.header.Set("X-Kitchen-Request-Version", r.Proto)
	}

	p.excluded = o.excluded
	p.failAfter = o.failAfter
	if op.kind != asyncNone {
		if o.asyncID != "" {
			op.id = o.asyncID
		}
		if o.hasLinger {
			op.linger = o.asyncLinger
		}
	}
	if o.responseSize >= 0 {
		p.body = p.body.withLength(o.responseSize)
	}
	p.trailerDelay = o.trailerDelay
	p.trailers = o.trailers

	if o.defaultStatus != 0 {
		if h.statusChange {
			h.log.Info("changing default response status", "status", o.defaultStatus, "reset-after", o.defaultStatusTimeout)
			h.status.set(o.defaultStatus, o.defaultStatusTimeout)
		} else {
			h.log.Info("ignoring x-kitchen-default-status-value (start with --enable-status-change)")
		}
	}
	if p.status == 0 {
		p.status = h.status.get()
	}
	return nil
}
