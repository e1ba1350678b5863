//go:build linux

package serve

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawAnswer is an answer an instance may give in a form net/http's
// server never writes: framings, heads and pacing the router must relay
// as well as net/http's own. Each is valid HTTP/1.1; the client must get
// status and body (HEAD: no body), whatever the framing.
type rawAnswer struct {
	name    string
	interim string // 1xx answers before it
	head    string // status line and fields, up to the empty line
	body    string // as framed
	closes  bool   // the instance closes the connection after it
	status  int
	payload string // the body's bytes
}

// rawAnswers are the answers a raw instance gives, by index.
var rawAnswers = func() []rawAnswer {
	big := letters(50_000, 3)
	var ones strings.Builder
	for _, c := range "one byte at a time" {
		fmt.Fprintf(&ones, "1\r\n%c\r\n", c)
	}
	manyFields := ""
	for i := range 100 {
		manyFields += fmt.Sprintf("X-Field-%d: %s\r\n", i, letters(40, i))
	}
	return []rawAnswer{
		{name: "length", head: "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\n", body: "hello world", status: 200, payload: "hello world"},
		{name: "chunked, extensions, trailer", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n",
			body: "5;a=b\r\nhello\r\n6;x\r\n world\r\n0\r\nX-T: t\r\n\r\n", status: 200, payload: "hello world"},
		{name: "upper-case chunk size", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", body: "B\r\nhello world\r\n0\r\n\r\n", status: 200, payload: "hello world"},
		{name: "one-byte chunks", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", body: ones.String() + "0\r\n\r\n", status: 200, payload: "one byte at a time"},
		{name: "no reason phrase", head: "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n", body: "ok", status: 200, payload: "ok"},
		{name: "status of its own", head: "HTTP/1.1 299 Fine By Me\r\nContent-Length: 2\r\n\r\n", body: "ok", status: 299, payload: "ok"},
		{name: "until the instance closes", head: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", body: "until the end", closes: true, status: 200, payload: "until the end"},
		{name: "HTTP/1.0", head: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", body: "ok", closes: true, status: 200, payload: "ok"},
		{name: "early hints", interim: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", head: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", body: "ok", status: 200, payload: "ok"},
		{name: "length with leading zeros", head: "HTTP/1.1 200 OK\r\nContent-Length: 0002\r\n\r\n", body: "ok", status: 200, payload: "ok"},
		{name: "not modified", head: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"e\"\r\n\r\n", status: 304},
		{name: "no content", head: "HTTP/1.1 204 No Content\r\nX-A: a\r\n\r\n", status: 204},
		{name: "spaces and tabs", head: "HTTP/1.1 200 OK\r\nX-Pad:   spaced   \r\nX-Tab:\tv\t\r\nContent-Length:  2 \r\n\r\n", body: "ok", status: 200, payload: "ok"},
		{name: "a large head", head: "HTTP/1.1 200 OK\r\n" + manyFields + "Content-Length: 2\r\n\r\n", body: "ok", status: 200, payload: "ok"},
		{name: "a large body", head: "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n", body: big, status: 200, payload: big},
	}
}()

// rawInstance answers a request carrying x-raw-answer (an index into
// rawAnswers, and the offsets to cut its bytes at: "3;10,200") by taking
// the connection from net/http's server and serving it from then on
// itself: each request's answer is written in pieces with a pause
// between them, so that the router reads each in a read of its own. It
// reports whether it took the connection (the service's every request
// carries the header, so its connections never mix the two servers).
func rawInstance(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("X-Raw-Answer") == "" {
		return false
	}
	// A body is read before the connection is taken (net/http's server
	// owns the first request's body), and then each next one's.
	_, _ = io.Copy(io.Discard, r.Body)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "raw instance: "+err.Error(), http.StatusInternalServerError)
		return true
	}
	go func() {
		defer conn.Close()
		for {
			if !writeRawAnswer(brw.Writer, r) {
				return
			}
			next, err := http.ReadRequest(brw.Reader)
			if err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, next.Body); err != nil {
				return
			}
			r = next
		}
	}()
	return true
}

// writeRawAnswer writes the answer r asks for, in its pieces; it reports
// whether the connection stays open.
func writeRawAnswer(w *bufio.Writer, r *http.Request) bool {
	spec, cutList, _ := strings.Cut(r.Header.Get("X-Raw-Answer"), ";")
	i, err := strconv.Atoi(spec)
	if err != nil || i < 0 || i >= len(rawAnswers) {
		_, _ = io.WriteString(w, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		_ = w.Flush()
		return false
	}
	a := rawAnswers[i]
	raw := a.interim + a.head
	if r.Method != http.MethodHead {
		raw += a.body
	}
	prev := 0
	for c := range strings.SplitSeq(cutList, ",") {
		at, err := strconv.Atoi(c)
		if err != nil || at <= prev || at >= len(raw) {
			continue
		}
		_, _ = io.WriteString(w, raw[prev:at])
		if w.Flush() != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond) // a read of its own on the router's side
		prev = at
	}
	_, _ = io.WriteString(w, raw[prev:])
	return w.Flush() == nil && !a.closes
}

// rawFrontBackend is loopBackend with the raw instance for requests that
// ask for it.
func rawFrontBackend() http.Handler {
	loop := loopBackend()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rawInstance(w, r) {
			loop.ServeHTTP(w, r)
		}
	})
}

// An instance's chunked answer without a Content-Type whose head comes
// in a read of its own gets the Content-Type sniffed from its body on
// the loops, as on the goroutine front: the loops flushed the head as
// it came, before any body to sniff.
func TestEventLoopSniffsAChunkedAnswerWhoseHeadCameAlone(t *testing.T) {
	rt, fr := startFrontRouter(t, rawFrontBackend())
	host := strings.TrimPrefix(rt.url, "http://")
	a := rawAnswers[1] // chunked, no Content-Type
	if !strings.Contains(a.head, "chunked") || strings.Contains(a.head, "Content-Type") {
		t.Fatalf("rawAnswers[1] is %q: want a chunked answer without a Content-Type", a.head)
	}
	req := "GET /raw HTTP/1.1\r\nHost: h\r\n" + rawService + fmt.Sprintf("X-Raw-Answer: 1;%d\r\n\r\n", len(a.head))
	exchangePieces(t, host, []string{req}, []string{"GET"}) // starts the service (handed off)
	served := fr.loops.Served()
	got := exchangePieces(t, host, []string{req}, []string{"GET"})
	if fr.loops.Served() == served {
		t.Fatal("the loops did not serve the request")
	}
	if ct := got[0].Header.Get("Content-Type"); got[0].Status != 200 || ct != "text/plain; charset=utf-8" || got[0].Body != a.payload {
		t.Errorf("answer %d, Content-Type %q, body %q; want 200, the sniffed text/plain; charset=utf-8, %q", got[0].Status, ct, got[0].Body, a.payload)
	}
}
