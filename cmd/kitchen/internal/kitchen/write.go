package kitchen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// write sends the planned response. With x-kitchen-fail-after N (N no more
// than the body length) it sends N body bytes and returns errAbort, so the
// connection is dropped with no terminating chunk or with fewer bytes than
// Content-Length: the "broken transfer" Waiter must surface to its client.
func (p *response) write(ctx context.Context, w http.ResponseWriter) error {
	hasBody := bodyAllowed(p.status)
	p.writeHeader(w, hasBody)
	if !hasBody {
		return nil
	}

	limit, broken := p.body.length, false
	if p.failAfter >= 0 && p.failAfter <= limit {
		limit, broken = p.failAfter, true
	}
	src := io.LimitReader(p.body.reader(), limit)
	rc := http.NewResponseController(w)
	buf := make([]byte, p.chunkSize)
	for {
		n, readErr := io.ReadFull(src, buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return fmt.Errorf("%w: write body: %w", errAbort, err)
			}
			// Flushing every piece puts each chunk on the wire as it is
			// produced, which is what makes chunk delays observable.
			if err := rc.Flush(); err != nil {
				return fmt.Errorf("%w: flush body: %w", errAbort, err)
			}
			if p.chunked {
				if err := sleep(ctx, p.chunkDelay); err != nil {
					return err
				}
			}
		}
		if readErr != nil { // io.EOF or io.ErrUnexpectedEOF: the limit is reached
			break
		}
	}
	if broken {
		// Flush first: with nothing written yet the status line would
		// otherwise never leave, and the client must see a response whose
		// body breaks, not a connection that never answered.
		if err := rc.Flush(); err != nil {
			return fmt.Errorf("%w: flush headers: %w", errAbort, err)
		}
		return fmt.Errorf("%w: x-kitchen-fail-after %d", errAbort, p.failAfter)
	}
	if p.chunked {
		// NB: the original sent the terminating "0" chunk before this sleep;
		// net/http writes it together with the trailers, after it.
		if err := sleep(ctx, p.trailerDelay); err != nil {
			return err
		}
		for name, values := range p.trailers {
			w.Header()[http.TrailerPrefix+name] = values
		}
	}
	return nil
}

// writeHeader sends the status line and headers: cookies, the planned
// headers, the framing, minus x-kitchen-exclude-headers.
func (p *response) writeHeader(w http.ResponseWriter, hasBody bool) {
	h := w.Header()
	for _, c := range p.cookies {
		h.Add("Set-Cookie", url.QueryEscape(c[0])+"="+url.QueryEscape(c[1]))
	}
	for name, values := range p.header {
		h[name] = values
	}
	if hasBody {
		if p.chunked {
			// Set explicitly, or net/http would send a small body with a
			// computed Content-Length instead of chunks.
			h.Set("Transfer-Encoding", "chunked")
		} else {
			h.Set("Content-Length", strconv.FormatInt(p.body.length, 10))
		}
	}
	// A nil entry (rather than a deleted one) also stops net/http adding its
	// own Date or sniffed Content-Type.
	for name := range p.excluded {
		h[http.CanonicalHeaderKey(name)] = nil
	}
	if hasBody && (p.chunked && p.excluded["transfer-encoding"] || !p.chunked && p.excluded["content-length"]) {
		// Without its framing header the body can only end with the
		// connection, as it did in the original; "identity" asks net/http
		// for exactly that.
		h["Transfer-Encoding"] = []string{"identity"}
	}
	w.WriteHeader(p.status)
}

// bodyAllowed reports whether HTTP permits a body with status (RFC 9110
// 6.4.1); net/http refuses body writes otherwise.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
