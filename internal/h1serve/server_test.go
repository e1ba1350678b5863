package h1serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/rawio"
)

// serveBoth serves h with net/http's server and with this package's, and
// returns their addresses.
func serveBoth(t testing.TB, h http.Handler) (std, fast string) {
	t.Helper()
	stdLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h}
	go func() { _ = hs.Serve(stdLn) }()
	t.Cleanup(func() { _ = hs.Close() })

	fs := &Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second}
	return stdLn.Addr().String(), serveRaw(t, fs)
}

// serveRaw serves s on a loopback listener, each connection as the router
// serves them: raw reads and writes, and a response's last write made by
// the wait for the next request (awaitNext). It returns the address; the
// test's end shuts s down, which must take less than 5 s.
func serveRaw(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				s.ServeConn(rawio.Wrap(c))
				_ = c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return ln.Addr().String()
}

// answer is what a client can see of one response.
type answer struct {
	Status           int
	Header           http.Header
	TransferEncoding []string
	ContentLength    int64
	Body             string
	Trailer          http.Header
	Close            bool
	Err              string
}

// exchange writes raw on a new connection and reads n answers.
func exchange(t *testing.T, addr, raw, method string, n int) []answer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []answer
	for range n {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			out = append(out, answer{Err: "no answer"})
			break
		}
		b, err := io.ReadAll(resp.Body)
		a := answer{Status: resp.StatusCode, Header: resp.Header, TransferEncoding: resp.TransferEncoding,
			ContentLength: resp.ContentLength, Body: string(b), Trailer: resp.Trailer, Close: resp.Close}
		if err != nil {
			a.Err = "body broken"
		}
		a.Header.Del("Date")
		out = append(out, a)
	}
	return out
}

// Every response shape a handler can produce is framed the same by both
// servers: status, headers (Date aside), length or chunking, body,
// trailers, and whether the connection stays open.
func TestFramedAsNetHTTP(t *testing.T) {
	big := strings.Repeat("<p>x</p>", 700)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			_, _ = io.WriteString(w, "<html>hello</html>")
		case "/empty":
		case "/status":
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, "tea")
		case "/big":
			_, _ = io.WriteString(w, big)
		case "/length":
			w.Header().Set("Content-Length", "5")
			_, _ = io.WriteString(w, "12345")
		case "/short":
			w.Header().Set("Content-Length", "10")
			_, _ = io.WriteString(w, "12345")
		case "/flush":
			_, _ = io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "b")
		case "/trailer":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "body")
			w.(http.Flusher).Flush()
			w.Header().Set(http.TrailerPrefix+"X-Sum", "42")
		case "/declared":
			w.Header().Set("Trailer", "X-Late")
			_, _ = io.WriteString(w, "body")
			w.Header().Set("X-Late", "yes")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/notmodified":
			w.Header().Set("Etag", `"1"`)
			w.WriteHeader(http.StatusNotModified)
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, "bye")
		case "/nosniff":
			w.Header()["Content-Type"] = nil
			_, _ = io.WriteString(w, "<html>")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Host", r.Host)
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("X-Uri", r.RequestURI)
			w.Header().Set("X-Remote-Set", boolString(r.RemoteAddr != ""))
			w.Header().Set("X-Host-Header", strings.Join(r.Header.Values("Host"), ","))
			w.Header()["X-Multi"] = r.Header.Values("X-Multi")
			_, _ = w.Write(b)
		case "/abort":
			_, _ = io.WriteString(w, big)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		case "/unread":
			_, _ = io.WriteString(w, "did not read")
		case "/multi":
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.Header().Set("X-Newline", "a\nb")
			_, _ = io.WriteString(w, "{}")
		}
	})
	std, fast := serveBoth(t, handler)
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: example.test\r\n\r\n" }
	for _, c := range []struct {
		name, raw, method string
		n                 int
	}{
		{"small", get("/small"), "GET", 1},
		{"empty", get("/empty"), "GET", 1},
		{"status", get("/status"), "GET", 1},
		{"big", get("/big"), "GET", 1},
		{"length", get("/length"), "GET", 1},
		{"short", get("/short") + get("/small"), "GET", 2},
		{"flush", get("/flush"), "GET", 1},
		{"trailer", get("/trailer"), "GET", 1},
		{"declared trailer", get("/declared"), "GET", 1},
		{"204", get("/nocontent"), "GET", 1},
		{"304", get("/notmodified"), "GET", 1},
		{"handler closes", get("/close") + get("/small"), "GET", 2},
		{"client closes", "GET /small HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + get("/small"), "GET", 2},
		{"no sniffing", get("/nosniff"), "GET", 1},
		{"head", "HEAD /small HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 1},
		{"head big", "HEAD /big HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 1},
		{"echo", "POST /echo?q=1 HTTP/1.1\r\nHost: example.test:80\r\nX-Multi: 1\r\nx-multi: 2\r\nContent-Length: 3\r\n\r\nabc", "POST", 1},
		{"pipelined", get("/small") + get("/big") + get("/length"), "GET", 3},
		{"abort", get("/abort") + get("/small"), "GET", 2},
		{"unread body", "POST /unread HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" + get("/small"), "POST", 2},
		{"multi", get("/multi"), "GET", 1},
		{"no host", "GET /small HTTP/1.1\r\n\r\n", "GET", 1},
		{"two hosts", "GET /small HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET", 1},
		{"bad host", "GET /small HTTP/1.1\r\nHost: a b\r\n\r\n", "GET", 1},
		{"bad header name", "GET /small HTTP/1.1\r\nHost: a\r\nX\x01: 1\r\n\r\n", "GET", 1},
		// Heads the fast parser leaves to http.ReadRequest (parse.go).
		{"bad header value", "GET /small HTTP/1.1\r\nHost: a\r\nX: 1\x01\r\n\r\n", "GET", 1},
		{"folded", "GET /echo HTTP/1.1\r\nHost: a\r\nX-Multi: 1\r\n 2\r\n\r\n", "GET", 1},
		{"two lengths", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "POST", 1},
		{"bad length", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\nabc", "POST", 1},
		{"bad method", "G(T /small HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 1},
		{"escaped path", "GET /ech%6F HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 1},
		{"bare LF", "GET /echo HTTP/1.1\nHost: a\n\n", "GET", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := exchange(t, std, c.raw, c.method, c.n)
			got := exchange(t, fast, c.raw, c.method, c.n)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("h1serve answered\n%.1500s\nnet/http answered\n%.1500s", fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want))
			}
		})
	}
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// A request that outlasts watchAfter sees its context canceled when the
// client goes away, as with net/http's server.
func TestClientGoneCancels(t *testing.T) {
	canceled := make(chan struct{})
	started := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			close(canceled)
		case <-time.After(10 * time.Second):
		}
	})
	_, fast := serveBoth(t, handler)
	c, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	<-started
	_ = c.Close()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the request's context was not canceled when the client went away")
	}
}

// A request that outlasts watchAfter on a connection whose client stays
// is not canceled, and the next pipelined request is still served.
func TestWatchKeepsPipelined(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
				_, _ = io.WriteString(w, "canceled")
				return
			case <-time.After(3 * watchAfter):
			}
		}
		_, _ = io.WriteString(w, "done "+r.URL.Path)
	})
	_, fast := serveBoth(t, handler)
	raw := "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
	got := exchange(t, fast, raw, "GET", 2)
	if len(got) != 2 || got[0].Body != "done /slow" || got[1].Body != "done /next" {
		t.Fatalf("got %+v", got)
	}
}

// The requests of a connection share its context: a request's context
// (and what a handler derived from it and released) is not canceled by
// the next request, and it is canceled when the connection ends, so
// nothing registered on it outlives the connection.
func TestContextPerConnection(t *testing.T) {
	ctxs := make(chan context.Context, 2)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		child, cancel := context.WithCancel(r.Context())
		cancel() // a handler releases what it derived
		<-child.Done()
		ctxs <- r.Context()
		_, _ = io.WriteString(w, "ok")
	})
	_, fast := serveBoth(t, handler)
	c, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for range 2 {
		if _, err := io.WriteString(c, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	first, second := <-ctxs, <-ctxs
	if first.Err() != nil || second.Err() != nil {
		t.Fatalf("a request's context ended while its connection serves: %v, %v", first.Err(), second.Err())
	}
	_ = c.Close()
	select {
	case <-first.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the connection's context was not canceled when it ended")
	}
}

// A header value's CR and LF become spaces and its ends are trimmed, as
// net/http's server writes them: a handler cannot split a response.
func TestCleanValue(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           "plain",
		" padded\t":       "padded",
		"a\r\nX-Evil: 1":  "a  X-Evil: 1",
		"a\nb":            "a b",
		"a\rb":            "a b",
		"\r\n":            "",
		"text/plain; x=1": "text/plain; x=1",
	} {
		if got := cleanValue(in); got != want {
			t.Errorf("cleanValue(%q) = %q, want %q", in, got, want)
		}
	}
}

type connCtxKey struct{}

// ConnContext makes, once per connection, the context of every request
// on it, whether its head took the fast parser or net/http's; the
// connection's cancellation reaches it when the connection ends.
func TestConnContext(t *testing.T) {
	ctxs := make(chan context.Context, 2)
	made := make(chan struct{}, 2)
	fs := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxs <- r.Context()
		_, _ = io.WriteString(w, "ok")
	}), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
		ConnContext: func(ctx context.Context) context.Context {
			made <- struct{}{}
			return context.WithValue(ctx, connCtxKey{}, "conn")
		}}
	client, done := servePipe(fs)
	br := bufio.NewReader(client)
	// The second head folds a header line: net/http's parser takes it.
	for _, head := range []string{"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "GET /y HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"} {
		if _, err := io.WriteString(client, head); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	first, second := <-ctxs, <-ctxs
	if first != second || first.Value(connCtxKey{}) != "conn" {
		t.Fatalf("the requests' contexts %p and %p, value %v: want ConnContext's, both", first, second, first.Value(connCtxKey{}))
	}
	if n := len(made); n != 1 {
		t.Fatalf("ConnContext called %d times for one connection", n)
	}
	_ = client.Close()
	<-done
	select {
	case <-first.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the connection's end did not reach ConnContext's context")
	}
}

// RequestDone comes once per request, with ConnContext's context, after
// the response is written: what the response referred to (here a header
// value, written only after the handler returned, as a response without
// a body is) may then change without reaching the client.
func TestRequestDoneAfterTheResponseIsWritten(t *testing.T) {
	values := []string{"kept"} // the request's state the response refers to
	var done []context.Context
	fs := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values[0] = "kept"
		w.Header()["X-V"] = values[:1:1]
		w.WriteHeader(http.StatusNoContent)
	}), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
		ConnContext: func(ctx context.Context) context.Context { return context.WithValue(ctx, connCtxKey{}, "conn") },
		RequestDone: func(ctx context.Context) {
			done = append(done, ctx)
			values[0] = "changed after RequestDone"
		}}
	client, served := servePipe(fs)
	br := bufio.NewReader(client)
	for i := range 2 {
		if _, err := io.WriteString(client, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if got := resp.Header.Get("X-V"); got != "kept" {
			t.Errorf("request %d: X-V %q, want the value the handler left", i, got)
		}
	}
	_ = client.Close()
	<-served
	if len(done) != 2 {
		t.Fatalf("RequestDone called %d times for 2 requests", len(done))
	}
	for _, ctx := range done {
		if ctx.Value(connCtxKey{}) != "conn" {
			t.Error("RequestDone's context is not ConnContext's")
		}
	}
}

// servePipe serves one end of a pipe with fs and returns the other, and
// a channel closed once ServeConn has returned and closed its end.
func servePipe(fs *Server) (net.Conn, <-chan struct{}) {
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fs.ServeConn(server)
		_ = server.Close()
	}()
	return client, done
}

// A handler's ResponseWriter has its request's header lines in wire
// order when the fast parser read the head, and none when net/http's
// parser did (here, for an obs-fold line the fast parser leaves to it).
func TestResponseHasRequestFields(t *testing.T) {
	type seen struct {
		fields []Field
		header http.Header
	}
	got := make(chan seen, 2)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(interface{ RequestFields() []Field })
		if !ok {
			t.Error("the ResponseWriter has no RequestFields")
			return
		}
		got <- seen{slices.Clone(f.RequestFields()), r.Header.Clone()}
		_, _ = io.WriteString(w, "ok")
	})
	_, fast := serveBoth(t, handler)
	heads := "GET /x HTTP/1.1\r\nzeta: 1\r\nHost: a\r\nAlpha: 2\r\nZeta: 3\r\n\r\n" +
		"GET /x HTTP/1.1\r\nHost: a\r\nAlpha: 2\r\n  folded\r\n\r\n"
	for i, a := range exchange(t, fast, heads, http.MethodGet, 2) {
		if a.Status != http.StatusOK {
			t.Fatalf("answer %d: %+v", i, a)
		}
	}
	first, second := <-got, <-got
	if want := []Field{{"Zeta", "1"}, {"Alpha", "2"}, {"Zeta", "3"}}; !slices.Equal(first.fields, want) {
		t.Errorf("fast head's fields %v, want %v", first.fields, want)
	}
	if !reflect.DeepEqual(fieldsHeader(first.fields), first.header) {
		t.Errorf("fields make %v, the header is %v", fieldsHeader(first.fields), first.header)
	}
	if second.fields != nil {
		t.Errorf("a head net/http parsed has fields %v", second.fields)
	}
}

// A head that comes in several reads is read on until readRequest can
// tell a missing Host from an empty one (valid, RFC 9112 3.2), as it can
// for a head that came whole: an empty Host in a head whose first read
// ended before it was refused as missing.
func TestReadRequestTellsAnEmptyHostInASplitHead(t *testing.T) {
	for _, c := range []struct {
		head    string
		hasHost bool
	}{
		{"GET / HTTP/1.1\r\nHost:\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nX-A: 1\r\nHost: \r\nX-B: 2\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", false},
		{"GET / HTTP/1.1\nHost:\n\n", true},
		{"GET / HTTP/1.1\nX-A: 1\n\n", false},
	} {
		for _, chunk := range []int{1, 3, 7} {
			br := bufio.NewReaderSize(&chunked{r: strings.NewReader(c.head), n: chunk}, 4<<10)
			_, _ = br.Peek(1) // the server reads a head once some of it has come
			req, hasHost, err := readRequest(br)
			if err != nil {
				t.Fatalf("%q in reads of %d bytes: %v", c.head, chunk, err)
			}
			if hasHost != c.hasHost || req.Host != "" && !c.hasHost {
				t.Errorf("%q in reads of %d bytes: has a Host %v, want %v", c.head, chunk, hasHost, c.hasHost)
			}
			if err := checkRequest(req, hasHost, false); (err == nil) != c.hasHost {
				t.Errorf("%q in reads of %d bytes: checked %v", c.head, chunk, err)
			}
		}
	}
}

// chunked gives r's bytes n at a time, as a connection gives a head sent
// in pieces.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }
