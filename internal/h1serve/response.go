package h1serve

import (
	"bufio"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bufferBeforeChunking is how much of a body is held before the header
// is written (net/http's bufferBeforeChunkingSize): a handler that
// finishes within it gets a Content-Length instead of chunked encoding.
const bufferBeforeChunking = 2048

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, bufferBeforeChunking); return &b }}

// release returns the body buffer and clears the header; w must not be
// used after.
func (w *response) release() {
	// The header's strings may be cut from shared chunks (the handler's
	// arena, internal/strarena), and the request's (its head's) are: an
	// idle connection must not keep them, and with them their chunks,
	// until its next request.
	clear(w.header)
	w.req, w.fields = nil, nil
	if w.bufp != nil {
		*w.bufp = w.buf[:0]
		bufPool.Put(w.bufp)
		w.buf, w.bufp = nil, nil
	}
}

// response is the http.ResponseWriter of one request, framing the answer
// into the connection's writer as net/http's server does.
type response struct {
	c   net.Conn
	bw  *bufio.Writer
	req *http.Request

	header      http.Header
	wroteHeader bool
	status      int
	committed   bool // the header is in bw
	buf         []byte
	bufp        *[]byte // buf's pooled slice
	chunked     bool
	cl          int64 // declared Content-Length, -1 unknown
	written     int64
	closeAfter  bool
	trailers    []string // declared in a Trailer header
	err         error    // a write to the connection failed
	// movedDeadline: the handler set the connection's read deadline.
	movedDeadline bool
	// fields are req's header lines in wire order when the fast parser
	// read its head (RequestFields), else nil.
	fields []Field
}

// reset readies w, the connection's one response, for the next request.
// Its header map is kept and cleared: the handler contract (net/http's
// too) is that neither the ResponseWriter nor its Header is used after
// ServeHTTP returns, so a request costs no map.
func (w *response) reset(c net.Conn, bw *bufio.Writer, req *http.Request) {
	h := w.header
	if h == nil {
		h = make(http.Header, 8)
	} else {
		clear(h)
	}
	*w = response{c: c, bw: bw, req: req, header: h, cl: -1}
}

func (w *response) Header() http.Header { return w.header }

// RequestFields are the request's header lines in the order they came,
// Host left out, when the fast parser read its head (the header map's
// entries: Head.Fields), else nil. A handler that walks every header
// (a proxy framing what it forwards) walks these instead of the map; like
// the request, they are not to be kept past the handler's return.
func (w *response) RequestFields() []Field { return w.fields }

func (w *response) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		// Informational: written at once, the final answer follows.
		w.writeStatus(code)
		w.writeHeaders(w.header, true)
		_, _ = w.bw.WriteString("\r\n")
		w.err = w.bw.Flush()
		return
	}
	w.wroteHeader = true
	w.status = code
	if v := w.header.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
			w.cl = n
		} else {
			w.header.Del("Content-Length")
		}
	}
}

// bodyAllowed reports whether the status permits a body (RFC 9110).
func (w *response) bodyAllowed() bool { return statusAllowsBody(w.status) }

func statusAllowsBody(s int) bool {
	return !(s >= 100 && s <= 199) && s != http.StatusNoContent && s != http.StatusNotModified
}

func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !w.bodyAllowed() {
		return 0, http.ErrBodyNotAllowed
	}
	if w.cl >= 0 && w.written+int64(len(p)) > w.cl {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.committed {
		if len(w.buf)+len(p) <= bufferBeforeChunking {
			if w.bufp == nil {
				w.bufp = bufPool.Get().(*[]byte)
				w.buf = (*w.bufp)[:0]
			}
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		w.commit(false, p)
		if len(w.buf) > 0 {
			if err := w.writeBody(w.buf); err != nil {
				return 0, err
			}
			w.buf = w.buf[:0]
		}
	}
	return len(p), w.writeBody(p)
}

// WriteString lets io.WriteString avoid a copy.
func (w *response) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *response) writeBody(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.req.Method == http.MethodHead {
		return nil
	}
	if w.chunked {
		_, _ = w.bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		_, _ = w.bw.WriteString("\r\n")
		_, _ = w.bw.Write(p)
		_, w.err = w.bw.WriteString("\r\n")
	} else {
		_, w.err = w.bw.Write(p)
	}
	return w.err
}

// Flush sends what was written so far.
func (w *response) Flush() { _ = w.FlushError() }

// FlushError is Flush for http.ResponseController.
func (w *response) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(false, nil)
		if len(w.buf) > 0 {
			_ = w.writeBody(w.buf)
			w.buf = w.buf[:0]
		}
	}
	if w.err != nil {
		return w.err
	}
	w.err = w.bw.Flush()
	return w.err
}

// SetReadDeadline, SetWriteDeadline and EnableFullDuplex serve
// http.ResponseController. Full duplex needs nothing: the request body
// stays readable while the answer is written.
func (w *response) SetReadDeadline(t time.Time) error {
	w.movedDeadline = true
	if w.c == nil {
		return nil // a Buffered answer: its front holds the request whole
	}
	return w.c.SetReadDeadline(t)
}
func (w *response) SetWriteDeadline(t time.Time) error {
	if w.c == nil {
		return nil // a Buffered answer: its front writes it
	}
	return w.c.SetWriteDeadline(t)
}
func (w *response) EnableFullDuplex() error { return nil }

// commit writes the header: final means the handler has returned and
// w.buf is the whole body; next is what is being written after w.buf
// (the content type is sniffed from both, as net/http does).
func (w *response) commit(final bool, next []byte) {
	w.committed = true
	h := w.header
	var extra extraHeaders
	_, hasTE := h["Transfer-Encoding"]
	if te := h.Get("Transfer-Encoding"); te != "" && te != "chunked" {
		hasTE = false // net/http drops an unknown transfer coding
		h.Del("Transfer-Encoding")
	}
	w.trailers = declaredTrailers(h)
	hasTrailers := len(w.trailers) > 0 || hasPrefixedTrailers(h)
	if final && !hasTrailers && !hasTE && w.bodyAllowed() && w.cl < 0 &&
		(w.req.Method != http.MethodHead || len(w.buf) > 0) {
		w.cl = int64(len(w.buf))
		extra.add("Content-Length", strconv.Itoa(len(w.buf)))
	}
	if _, ok := h["Content-Type"]; !ok && !hasTE && w.bodyAllowed() && len(w.buf)+len(next) > 0 {
		sniff := w.buf
		if len(sniff) < 512 && len(next) > 0 {
			sniff = append(sniff[:len(sniff):len(sniff)], next[:min(len(next), 512-len(sniff))]...)
		}
		extra.add("Content-Type", http.DetectContentType(sniff))
	}
	if _, ok := h["Date"]; !ok {
		extra.add("Date", httpDate())
	}
	if w.status == http.StatusNotModified || w.status == http.StatusNoContent || !w.bodyAllowed() {
		h.Del("Transfer-Encoding")
		if w.status != http.StatusNotModified {
			h.Del("Content-Length")
			w.cl = -1
		}
	} else if w.cl < 0 && w.req.Method != http.MethodHead {
		h.Del("Transfer-Encoding")
		extra.add("Transfer-Encoding", "chunked")
		w.chunked = true
	} else if hasTE && w.cl >= 0 {
		h.Del("Transfer-Encoding")
	}
	if w.req.Close || hasToken(h.Get("Connection"), "close") {
		w.closeAfter = true
	}
	if w.closeAfter {
		h.Del("Connection")
		extra.add("Connection", "close")
	} else if hasToken(h.Get("Connection"), "keep-alive") {
		h.Del("Connection")
	}
	w.writeStatus(w.status)
	w.writeHeaders(h, true)
	for _, kv := range extra.kv[:extra.n] {
		w.writeLine(kv[0], kv[1])
	}
	_, w.err = w.bw.WriteString("\r\n")
}

// finish ends the answer after the handler returned.
func (w *response) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(true, nil)
		if len(w.buf) > 0 {
			_ = w.writeBody(w.buf)
		}
	}
	if w.chunked && w.err == nil {
		_, _ = w.bw.WriteString("0\r\n")
		w.writeTrailers()
		_, w.err = w.bw.WriteString("\r\n")
	}
	if w.cl >= 0 && w.written != w.cl && w.bodyAllowed() && w.req.Method != http.MethodHead {
		w.closeAfter = true // a short body: the connection cannot be framed on
	}
}

func (w *response) writeTrailers() {
	t := make(http.Header)
	for _, k := range w.trailers {
		if vv, ok := w.header[k]; ok {
			t[k] = vv
		}
	}
	for k, vv := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			t[http.CanonicalHeaderKey(name)] = vv
		}
	}
	w.writeHeaders(t, false)
}

func (w *response) writeStatus(code int) {
	// Appended in the writer's own free space: a local array passed to
	// Write escapes (bufio may hand it to the connection), an allocation
	// per response.
	_, _ = w.bw.Write(AppendStatusLine(w.bw.AvailableBuffer(), code))
}

// writeHeaders writes h sorted by name, as net/http's Header.Write does
// (newlines in values become spaces), leaving out trailers set with
// TrailerPrefix, and declared ones unless trailers is false (when the
// trailers themselves are written).
func (w *response) writeHeaders(h http.Header, header bool) {
	var arr [32]string
	keys := arr[:0]
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) || (header && slices.Contains(w.trailers, k)) {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !validName(k) {
			continue
		}
		for _, v := range h[k] {
			w.writeLine(k, v)
		}
	}
}

func (w *response) writeLine(k, v string) {
	_, _ = w.bw.WriteString(k)
	_, _ = w.bw.WriteString(": ")
	_, _ = w.bw.WriteString(cleanValue(v))
	_, _ = w.bw.WriteString("\r\n")
}

// extraHeaders are the ones the server adds (at most five).
type extraHeaders struct {
	kv [5][2]string
	n  int
}

func (e *extraHeaders) add(k, v string) {
	e.kv[e.n] = [2]string{k, v}
	e.n++
}

func validName(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c == ':' || c >= 0x7f {
			return false
		}
	}
	return k != ""
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

func cleanValue(v string) string {
	// Two vectorized byte searches: strings.ContainsAny builds a set of
	// its characters first, on every header line.
	if strings.IndexByte(v, '\n') >= 0 || strings.IndexByte(v, '\r') >= 0 {
		v = newlineToSpace.Replace(v)
	}
	return strings.TrimSpace(v)
}

// declaredTrailers are the names a Trailer header announces.
func declaredTrailers(h http.Header) []string {
	var out []string
	for _, v := range h["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			if k = http.CanonicalHeaderKey(strings.TrimSpace(k)); k != "" {
				out = append(out, k)
			}
		}
	}
	return out
}

func hasPrefixedTrailers(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

func hasToken(v, token string) bool {
	for t := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// httpDate is the Date header, formatted once a second.
var dateCache struct {
	sync.Mutex
	sec int64
	s   string
}

func httpDate() string {
	now := time.Now()
	dateCache.Lock()
	defer dateCache.Unlock()
	if sec := now.Unix(); sec != dateCache.sec {
		dateCache.sec, dateCache.s = sec, now.UTC().Format(http.TimeFormat)
	}
	return dateCache.s
}
