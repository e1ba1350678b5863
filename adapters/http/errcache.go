package waiterhttp

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// errPages keeps, for a short window, the rendered error page of each
// service's failure (service, status, message, details, content type), so
// a service failing the same way for every request costs one render and
// one log line per window rather than one per request (issue 12; Waiter
// throttles its error responses too, reference 1.5). The page is cached
// as a template: the request's own facts (correlation id, host, path,
// query, method, time) are filled in per request, escaped as the page's
// content type escapes them, so a cached answer is byte for byte the page
// a fresh render would give.
type errPages struct {
	window time.Duration
	max    int

	mu      sync.Mutex
	entries map[errKey]*errTemplate
}

type errKey struct {
	service, message, details, ct string
	status                        int
	query                         bool // JSON leaves out an empty query-string
}

// errTemplate is a rendered page cut at the request's facts: parts[0],
// fact slots[0], parts[1], ... parts[len(slots)].
type errTemplate struct {
	parts      [][]byte
	slots      []int
	until      time.Time
	suppressed int // log lines not written since the template was made
}

// The request facts a template leaves open, in errorFields order.
const (
	slotCID = iota
	slotHost
	slotURI
	slotQuery
	slotMethod
	slotTime
	numSlots
)

// slotMark is what a fact is rendered as in a template: a private-use
// character no escaper touches, then the slot number.
const slotMark = '\uE000'

// Defaults of the Server's errPages: a failure page is reused for a second
// (log-repeat-window's default), for up to 1024 kinds of failure at once.
const (
	errPageWindow = time.Second
	errPageKinds  = 1024
)

func newErrPages(window time.Duration, max int) *errPages {
	return &errPages{window: window, max: max, entries: map[errKey]*errTemplate{}}
}

// render returns f's page in content type ct; repeat says it came from a
// template made earlier in the window (so its log line is suppressed), and
// suppressed counts the lines suppressed in the window before a fresh one.
func (p *errPages) render(f errorFields, ct string) (body []byte, suppressed int, repeat bool) {
	if p == nil || p.window <= 0 || f.ServiceID == "" || strings.ContainsRune(f.Message, slotMark) {
		return renderError(f, ct), 0, false
	}
	var details string
	if len(f.Details) > 0 {
		details = strings.Join(detailLines(f.Details), "\n")
		if strings.ContainsRune(details, slotMark) {
			return renderError(f, ct), 0, false
		}
	}
	k := errKey{service: f.ServiceID, message: f.Message, details: details, ct: ct, status: f.Status, query: f.Query != ""}
	now := f.Timestamp
	p.mu.Lock()
	t := p.entries[k]
	if t != nil && now.Before(t.until) {
		t.suppressed++
		p.mu.Unlock()
		return t.fill(f, ct), 0, true
	}
	if t != nil {
		suppressed = t.suppressed
	}
	p.mu.Unlock()

	t = makeTemplate(f, ct)
	t.until = now.Add(p.window)
	p.mu.Lock()
	if len(p.entries) >= p.max {
		for key, e := range p.entries {
			if !now.Before(e.until) {
				delete(p.entries, key)
			}
		}
	}
	if len(p.entries) < p.max || p.entries[k] != nil {
		p.entries[k] = t
	}
	p.mu.Unlock()
	return t.fill(f, ct), suppressed, false
}

func renderError(f errorFields, ct string) []byte {
	switch ct {
	case ctJSON:
		return renderJSONError(f)
	case ctHTML:
		return []byte(renderHTMLError(f))
	}
	return []byte(renderTextError(f))
}

// makeTemplate renders f with each request fact replaced by its mark and
// cuts the page there.
func makeTemplate(f errorFields, ct string) *errTemplate {
	mark := func(slot int) string { return string([]rune{slotMark, rune('0' + slot)}) }
	f.CID, f.Host, f.URI, f.Method, f.Time = mark(slotCID), mark(slotHost), mark(slotURI), mark(slotMethod), mark(slotTime)
	if f.Query != "" || ct != ctJSON {
		f.Query = mark(slotQuery)
	}
	page := renderError(f, ct) // JSON lower-cases the method: the mark has no case
	t := &errTemplate{}
	m := []byte(string(slotMark))
	for {
		i := bytes.Index(page, m)
		if i < 0 {
			t.parts = append(t.parts, page)
			return t
		}
		t.parts = append(t.parts, page[:i])
		t.slots = append(t.slots, int(page[i+len(m)]-'0'))
		page = page[i+len(m)+1:]
	}
}

// fill writes f's facts into the template, escaped for ct.
func (t *errTemplate) fill(f errorFields, ct string) []byte {
	var facts [numSlots]string
	facts[slotCID], facts[slotHost], facts[slotURI], facts[slotQuery], facts[slotMethod], facts[slotTime] =
		f.CID, f.Host, f.URI, f.Query, f.Method, f.Time
	if ct == ctJSON {
		facts[slotMethod] = strings.ToLower(f.Method)
	}
	n := 0
	for _, p := range t.parts {
		n += len(p)
	}
	for _, s := range t.slots {
		n += len(facts[s]) + 8
	}
	out := make([]byte, 0, n)
	for i, s := range t.slots {
		out = append(out, t.parts[i]...)
		out = appendEscaped(out, facts[s], ct)
	}
	return append(out, t.parts[len(t.parts)-1]...)
}

func appendEscaped(out []byte, s, ct string) []byte {
	switch ct {
	case ctJSON:
		if plainJSON(s) {
			return append(out, s...)
		}
		b, _ := json.Marshal(s) // a string always marshals
		return append(out, b[1:len(b)-1]...)
	case ctHTML:
		return append(out, htmlEscaper.Replace(s)...)
	}
	return append(out, s...)
}

// plainJSON says s needs no escaping in a JSON string (json.Marshal also
// escapes <, > and & for HTML).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
