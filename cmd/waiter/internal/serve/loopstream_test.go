//go:build linux

package serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// streamRequest is one generated request of a connection's stream.
type streamRequest struct {
	method, path string
	version      string   // "HTTP/1.1" or "HTTP/1.0"
	extra        []string // header lines, "Name: value"
	body         string   // the framed body as sent (chunked or not)
	payload      string   // the body's bytes, as the instance reads them
	defect       string   // a smuggling shape put in the head ("": none)
	service      string   // the x-waiter-* fields of its service
	raw          int      // the index of the raw instance's answer (-1: loopBackend answers)
}

// The header lines that make a request smuggling shape, each refused by
// both fronts (TestRequestSmugglingRefused has the reasons).
var streamDefects = []string{
	"Content-Length: 4\r\nTransfer-Encoding: chunked",
	"Content-Length: 4\r\nContent-Length: 6",
	"X-Folded: a\r\n b",
	"Transfer-Encoding: chunked, identity",
	"Content-Length: -4",
	"Content-Length : 4",
}

// drawStreamRequest draws a request: one for the raw instance
// (drawRawRequest), or for loopBackend with a method, one of loopBackend's
// paths, HTTP/1.1 or 1.0, a few extra fields, a body (none, by
// Content-Length, or chunked with extensions and trailers), rarely
// Connection: close or keep-alive, Expect: 100-continue or a smuggling
// shape.
func drawStreamRequest(t *rapid.T, i int) streamRequest {
	if rapid.IntRange(0, 3).Draw(t, fmt.Sprint("rawInstance", i)) == 0 {
		return drawRawRequest(t, i)
	}
	r := streamRequest{
		service: streamService, raw: -1,
		method:  rapid.SampledFrom([]string{"GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"}).Draw(t, fmt.Sprint("method", i)),
		path:    rapid.SampledFrom([]string{"/small", "/small?q=1&r=%20", "/echo", "/big", "/stream", "/nocontent", "/empty", "/fields", "/notfound"}).Draw(t, fmt.Sprint("path", i)),
		version: rapid.SampledFrom([]string{"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0"}).Draw(t, fmt.Sprint("version", i)),
	}
	if rapid.IntRange(0, 9).Draw(t, fmt.Sprint("keepAlive", i)) == 0 {
		r.extra = append(r.extra, "Connection: keep-alive")
	}
	for j := range rapid.IntRange(0, 3).Draw(t, fmt.Sprint("extras", i)) {
		name := rapid.SampledFrom([]string{"X-A", "x-b", "Accept", "User-Agent", "Cookie", "X-Waiter-Debug", "Via"}).Draw(t, fmt.Sprint("name", i, j))
		value := rapid.StringMatching(`[a-zA-Z0-9 =;,./]{0,20}`).Draw(t, fmt.Sprint("value", i, j))
		r.extra = append(r.extra, name+": "+value)
	}
	if rapid.IntRange(0, 9).Draw(t, fmt.Sprint("close", i)) == 0 {
		r.extra = append(r.extra, "Connection: close")
	}
	bodyKind := rapid.IntRange(0, 3).Draw(t, fmt.Sprint("bodyKind", i))
	if bodyKind != 0 && rapid.IntRange(0, 9).Draw(t, fmt.Sprint("expect", i)) == 0 {
		r.extra = append(r.extra, "Expect: 100-continue")
	}
	switch bodyKind {
	case 1:
		body := letters(rapid.IntRange(0, 3000).Draw(t, fmt.Sprint("length", i)), i)
		r.extra = append(r.extra, fmt.Sprintf("Content-Length: %d", len(body)))
		r.body, r.payload = body, body
	case 2:
		r.extra = append(r.extra, "Transfer-Encoding: chunked")
		var b strings.Builder
		for j := range rapid.IntRange(0, 3).Draw(t, fmt.Sprint("chunks", i)) {
			n := rapid.IntRange(1, 2000).Draw(t, fmt.Sprint("chunk", i, j))
			size := fmt.Sprintf("%x", n)
			if rapid.Bool().Draw(t, fmt.Sprint("upper", i, j)) {
				size = strings.ToUpper(size)
			}
			ext := rapid.SampledFrom([]string{"", ";a=b", ";x"}).Draw(t, fmt.Sprint("ext", i, j))
			data := letters(n, i+j)
			b.WriteString(size + ext + "\r\n" + data + "\r\n")
			r.payload += data
		}
		b.WriteString("0\r\n")
		if rapid.Bool().Draw(t, fmt.Sprint("trailer", i)) {
			b.WriteString("X-Trailer: t\r\n")
		}
		b.WriteString("\r\n")
		r.body = b.String()
	}
	if rapid.IntRange(0, 14).Draw(t, fmt.Sprint("defective", i)) == 0 {
		r.defect = rapid.SampledFrom(streamDefects).Draw(t, fmt.Sprint("defect", i))
	}
	return r
}

// letters is n bytes of a body: lower-case letters in a cycle that
// differs from request to request and does not repeat within 26 bytes,
// so that bytes relayed out of place, twice or not at all show.
func letters(n, seed int) string {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte('a' + (k*7+seed)%26)
	}
	return string(b)
}

// ends reports whether the request's answer ends the connection: it
// asked to close, or is HTTP/1.0 (whose keep-alive the model leaves to
// the comparison of the fronts).
func (r streamRequest) ends() bool {
	return r.version == "HTTP/1.0" || slices.Contains(r.extra, "Connection: close")
}

// expected is the status and body of r's answer from loopBackend.
func (r streamRequest) expected() (int, string) {
	if r.raw >= 0 {
		a := rawAnswers[r.raw]
		if r.method == http.MethodHead {
			return a.status, ""
		}
		return a.status, a.payload
	}
	status, body := http.StatusOK, ""
	switch path, _, _ := strings.Cut(r.path, "?"); path {
	case "/small":
		body = "hello " + r.method + " " + r.path
	case "/echo":
		body = fmt.Sprintf("%s %s %d %q", r.method, r.path, len(r.payload), r.payload)
	case "/big":
		body = strings.Repeat("<p>loop</p>", 1000)
	case "/stream":
		body = "part 0\npart 1\npart 2\n"
	case "/nocontent":
		status = http.StatusNoContent
	case "/empty":
	case "/fields":
		body = "fields"
	default:
		status, body = http.StatusNotFound, "404 page not found\n"
	}
	if r.method == http.MethodHead {
		body = ""
	}
	return status, body
}

// checkAnswers holds the answers to reqs, interim ones aside, to what
// the instance answers each (/echo: the start of its answer, before
// what it saw of the framing), up to the first that ends the connection;
// a smuggling shape is refused with 400, or 501 for its unknown coding,
// and so is a chunked body in HTTP/1.0.
func checkAnswers(t *rapid.T, reqs []streamRequest, answers []loopAnswer) {
	answers = slices.DeleteFunc(slices.Clone(answers), loopAnswer.interim)
	for i, r := range reqs {
		if i >= len(answers) || answers[i].Err != "" {
			t.Fatalf("request %d (%s %s) had no whole answer: %s", i, r.method, r.path, brief(answers))
		}
		a := answers[i]
		if r.defect == "" && r.version == "HTTP/1.0" && slices.Contains(r.extra, "Transfer-Encoding: chunked") {
			// RFC 9112 6.1: framing a server must take as faulty.
			if a.Status != http.StatusBadRequest {
				t.Fatalf("request %d, chunked in HTTP/1.0: %d, want 400", i, a.Status)
			}
			return
		}
		if r.defect != "" {
			if a.Status != http.StatusBadRequest && a.Status != http.StatusNotImplemented {
				t.Fatalf("request %d with %q: %d, want 400 or 501", i, r.defect, a.Status)
			}
			return
		}
		status, body := r.expected()
		got := a.Body
		if strings.HasPrefix(r.path, "/echo") && r.method != http.MethodHead {
			got = got[:min(len(got), len(body))]
		}
		if a.Status != status || got != body {
			t.Fatalf("request %d (%s %s, %d bytes of body): %d %q, want %d %q", i, r.method, r.path, len(r.payload), a.Status, briefBody(a.Body), status, briefBody(body))
		}
		if r.ends() {
			return
		}
	}
}

// The services of the streams: loopBackend's, and the raw instance's
// (rawInstance), which a request names by its x-raw-answer field.
var (
	streamService = kitchenFields("loopstream")
	rawService    = kitchenFields("loopraw")
)

// drawRawRequest draws a request for the raw instance: GET, HEAD or
// POST with a body, one of its answers and where to cut the answer's
// bytes.
func drawRawRequest(t *rapid.T, i int) streamRequest {
	r := streamRequest{service: rawService, path: "/raw", version: "HTTP/1.1",
		method: rapid.SampledFrom([]string{"GET", "GET", "HEAD", "POST"}).Draw(t, fmt.Sprint("method", i)),
		raw:    rapid.IntRange(0, len(rawAnswers)-1).Draw(t, fmt.Sprint("answer", i))}
	if r.method == http.MethodPost {
		// A body the instance reads and drops: the request goes through
		// the goroutine front, whose relay of the answer is then the one
		// under test.
		r.body = letters(rapid.IntRange(0, 5000).Draw(t, fmt.Sprint("length", i)), i)
		r.payload = r.body
		r.extra = append(r.extra, fmt.Sprintf("Content-Length: %d", len(r.body)))
	}
	a := rawAnswers[r.raw]
	n := len(a.interim) + len(a.head)
	if r.method != http.MethodHead {
		n += len(a.body)
	}
	cuts := rapid.SliceOfNDistinct(rapid.IntRange(1, n-1), 0, 3, rapid.ID[int]).Draw(t, fmt.Sprint("answerCuts", i))
	spec := make([]string, len(cuts))
	for k, c := range slices.Sorted(slices.Values(cuts)) {
		spec[k] = strconv.Itoa(c)
	}
	r.extra = append(r.extra, fmt.Sprintf("X-Raw-Answer: %d;%s", r.raw, strings.Join(spec, ",")))
	if rapid.IntRange(0, 9).Draw(t, fmt.Sprint("close", i)) == 0 {
		r.extra = append(r.extra, "Connection: close")
	}
	return r
}

// wire is the request as sent.
func (r streamRequest) wire() string {
	var b strings.Builder
	b.WriteString(r.method + " " + r.path + " " + r.version + "\r\nHost: h\r\n" + r.service)
	for _, l := range r.extra {
		b.WriteString(l + "\r\n")
	}
	if r.defect != "" {
		b.WriteString(r.defect + "\r\n")
	}
	b.WriteString("\r\n" + r.body)
	return b.String()
}

// The event loops answer any stream of pipelined requests, however it is
// cut into reads, as the goroutine front does: random methods, paths,
// fields, bodies (by length and chunked, with extensions and trailers;
// a request with a body hands the connection, with the bytes read, to
// the goroutine front), Connection: close and smuggling shapes, sent in
// pieces split at random offsets with a pause between them so that each
// piece arrives in a read of its own.
func TestEventLoopStreamsAsGoroutineFront(t *testing.T) {
	backend := rawFrontBackend()
	loopRt, loopFr := startFrontRouter(t, backend)
	goRt, _ := startFrontRouter(t, backend, goroutineFront)
	if loopFr == nil || loopFr.loops == nil {
		t.Fatal("the router built no event loops")
	}
	hosts := []string{strings.TrimPrefix(goRt.url, "http://"), strings.TrimPrefix(loopRt.url, "http://")}
	for _, host := range hosts {
		// A service's first request queues (and the loop hands a
		// service not yet stored off): started before any comparison.
		for _, warm := range []string{"GET /small HTTP/1.1\r\nHost: h\r\n" + streamService + "\r\n",
			"GET /raw HTTP/1.1\r\nHost: h\r\n" + rawService + "X-Raw-Answer: 0;\r\n\r\n"} {
			if a := exchangePieces(t, host, []string{warm + warm}, []string{"GET", "GET"}); a[1].Status != 200 {
				t.Fatalf("starting the service: %+v", a)
			}
		}
	}
	served := loopFr.loops.Served()
	rapid.Check(t, func(rt *rapid.T) {
		reqs := make([]streamRequest, rapid.IntRange(1, 4).Draw(rt, "requests"))
		var stream strings.Builder
		methods := make([]string, len(reqs))
		for i := range reqs {
			reqs[i] = drawStreamRequest(rt, i)
			stream.WriteString(reqs[i].wire())
			methods[i] = reqs[i].method
		}
		raw := stream.String()
		cuts := rapid.SliceOfNDistinct(rapid.IntRange(1, len(raw)-1), 0, 4, rapid.ID[int]).Draw(rt, "cuts")
		pieces := cutAt(raw, cuts)
		want := exchangePieces(t, hosts[0], pieces, methods)
		got := exchangePieces(t, hosts[1], pieces, methods)
		normalizeDebug(want)
		normalizeDebug(got)
		checkAnswers(rt, reqs, got)
		// The raw instance's answers come in framings net/http's never
		// does; each front may frame one anew as it likes (a chunked
		// answer read whole in one read, the loops send with its length).
		framingFree(reqs, want)
		framingFree(reqs, got)
		if !reflect.DeepEqual(got, want) {
			rt.Fatalf("the loops answered\n%s\nthe goroutine front answered\n%s\n%s\nto %q", brief(got), brief(want), firstDifference(got, want), briefPieces(pieces))
		}
	})
	if loopFr.loops.Served() == served {
		t.Error("the loops served none of the requests")
	}
}

// framingFree drops the framing (Content-Length, chunked) from the
// answers to requests for the raw instance.
func framingFree(reqs []streamRequest, answers []loopAnswer) {
	r := 0 // the request answers[k] answers
	for k := range answers {
		if answers[k].interim() {
			continue // the request's own answer follows
		}
		if r < len(reqs) && reqs[r].raw >= 0 {
			answers[k].Header.Del("Content-Length")
			answers[k].Chunked = false
		}
		r++
	}
}

// interim reports an informational answer (100 Continue, 103), which
// the request's own answer follows.
func (a loopAnswer) interim() bool { return a.Status >= 100 && a.Status < 200 }

// cutAt splits s at the offsets in cuts (any order).
func cutAt(s string, cuts []int) []string {
	at := slices.Sorted(slices.Values(cuts))
	var out []string
	prev := 0
	for _, c := range at {
		out = append(out, s[prev:c])
		prev = c
	}
	return append(out, s[prev:])
}

// exchangePieces writes pieces on a new connection to host, pausing
// between them, while reading an answer for each of methods (until one
// fails: the connection closed), as exchangeLoop does.
func exchangePieces(t *testing.T, host string, pieces, methods []string) []loopAnswer {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	written := make(chan struct{})
	defer func() {
		_ = c.Close()
		<-written
	}()
	go func() {
		defer close(written)
		for i, p := range pieces {
			if i > 0 {
				time.Sleep(2 * time.Millisecond) // its own read on the router's side
			}
			if _, err := io.WriteString(c, p); err != nil {
				return // the router closed the connection: what it answered is compared
			}
		}
	}()
	br := bufio.NewReader(c)
	var out []loopAnswer
	for i := 0; i < len(methods); i++ {
		a, ok := readLoopAnswer(br, methods[i])
		if !ok {
			out = append(out, a)
			break
		}
		a.Header.Del("Date")
		a.Header.Del("X-Cid")
		out = append(out, a)
		if a.interim() {
			i-- // the request's own answer follows
			continue
		}
		if a.Close {
			break
		}
	}
	return out
}

// brief is answers as a failure shows them: each one's status, framing,
// header names and the start of its body.
func brief(as []loopAnswer) string {
	var b strings.Builder
	for _, a := range as {
		names := make([]string, 0, len(a.Header))
		for k := range a.Header {
			names = append(names, k)
		}
		slices.Sort(names)
		body := a.Body
		if len(body) > 80 {
			body = fmt.Sprintf("%s... (%d bytes)", body[:80], len(a.Body))
		}
		fmt.Fprintf(&b, "  %d chunked=%v close=%v err=%q trailer=%v headers=%v body=%q\n", a.Status, a.Chunked, a.Close, a.Err, a.Trailer, names, body)
	}
	return b.String()
}

// firstDifference is the first answer that differs, whole but for the
// body's length.
func firstDifference(got, want []loopAnswer) string {
	for i := range max(len(got), len(want)) {
		var g, w loopAnswer
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			g.Body, w.Body = fmt.Sprintf("(%d bytes)", len(g.Body)), fmt.Sprintf("(%d bytes)", len(w.Body))
			return fmt.Sprintf("answer %d, the loops': %+v\nthe goroutine front's: %+v", i, g, w)
		}
	}
	return ""
}

// briefPieces is the pieces sent, with long runs of letters cut.
func briefPieces(pieces []string) []string {
	out := make([]string, len(pieces))
	for i, p := range pieces {
		out[i] = briefBody(p)
	}
	return out
}
