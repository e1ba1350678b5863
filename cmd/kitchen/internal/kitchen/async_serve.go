package kitchen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// asyncKind says which /async/* resource a request addresses.
type asyncKind int

const (
	asyncNone   asyncKind = iota
	asyncCreate           // /async/request
	asyncStatus           // /async/status?request-id=ID
	asyncResult           // /async/result?request-id=ID
)

// asyncOp is an /async/* request after the path and header rules: its id
// comes from the query, overridden by x-kitchen-request-id as in the original.
type asyncOp struct {
	kind       asyncKind
	id         string
	processing time.Duration
	linger     time.Duration
}

// serveAsync runs after the header rules and sets the final status, as in
// the original (so it overrides x-kitchen-act-busy).
func (h *Handler) serveAsync(op asyncOp, r *request, o options, p *response) error {
	switch op.kind {
	case asyncCreate:
		id := op.id
		if id == "" {
			id = newUUID()
		}
		h.async.create(id, p.cid(), op.processing, op.linger)
		p.status = http.StatusAccepted
		p.header.Set("X-Kitchen-Request-Id", id)
		p.header.Set("Location", "/async/status?request-id="+id)
		p.setText("Accepted request " + id)

	case asyncStatus:
		entry, found := h.async.lookup(op.id)
		switch {
		case op.id == "":
			p.status = http.StatusBadRequest
			p.setText("Missing request-id")
		case !found:
			p.status = http.StatusGone
			p.setText("No data found for request-id " + op.id)
		case r.method == "delete" && !o.allowCancel:
			p.status = http.StatusMethodNotAllowed
			p.setText("Cancellation not supported!")
		case r.method == "delete":
			h.async.cancel(op.id)
			p.status = o.cancelStatus
			p.setText("Deleted request-id " + op.id)
		case entry.Done:
			p.status = http.StatusSeeOther
			p.header.Set("Location", "/async/result?request-id="+op.id)
			p.setText("Processing complete for request-id " + op.id)
		default:
			p.setText("Still processing request-id " + op.id)
		}

	case asyncResult:
		if op.id == "" {
			p.status = http.StatusBadRequest
			p.setText("Missing request-id")
			return nil
		}
		// A nil entry leaves only "status" in the document, as in the original.
		var doc struct {
			*asyncEntry
			Status int `json:"status"`
		}
		if entry, found := h.async.lookup(op.id); found {
			doc.asyncEntry = &entry
		} else {
			p.status = http.StatusNotFound
		}
		doc.Status = p.status
		out, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("kitchen: encode async result: %w", err)
		}
		p.setJSON(out)
	}
	return nil
}
