package h1serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
)

// parseSeeds are heads the fast parser takes and heads it must leave to
// http.ReadRequest (smuggling attempts, malformed lines, escapes).
// The first fastSeeds the fast parser takes, the rest it leaves.
const fastSeeds = 9

var parseSeeds = []string{
	"GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\nX-Waiter-Token: t\r\n\r\n",
	"GET /a/b;c=d?x=1&y=%20 HTTP/1.1\r\nhost: h:80\r\naccept: */*\r\nx-multi: 1\r\nX-Multi: 2\r\n\r\n",
	"POST /echo?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
	"POST /short HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
	"GET /? HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n",
	"GET /?? HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", // taken: net/http's server checks refuse it
	// Pipelined heads of 10, 1, 9 (Host kept out, as always) and 2 header
	// lines: the parser's reused header maps (one-group and table) must
	// hold each head's headers and nothing of the one before.
	"GET /1 HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\nI: 9\r\n\r\n" +
		"GET /2 HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /3 HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\nI: 9\r\n\r\n" +
		"GET /4 HTTP/1.1\r\nHost: h\r\nJ: 10\r\n\r\n",
	"GET /dup HTTP/1.1\r\nHost: h\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\nA: 5\r\nA: 6\r\nA: 7\r\nA: 8\r\nA: 9\r\nA: 10\r\n\r\n" +
		"GET /after HTTP/1.1\r\nHost: h\r\nB: 1\r\n\r\n",
	"GET / HTTP/1.1\r\nX-No-Host: 1\r\n\r\n", // left: ReadRequest does not say a Host was missing (hostLineIn)
	"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n",
	"GET / HTTP/1.1\r\n Host: h\r\n\r\n",
	"GET / HTTP/1.1\nHost: h\n\n",
	"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",
	"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-A: caf\xc3\xa9\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n",
	"GET /%2Fa HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /a(b) HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET http://other/x HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET * HTTP/1.1\r\nHost: h\r\n\r\n",
	"G@T / HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.0\r\nHost: h\r\n\r\n",
	"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nPragma: no-cache\r\n\r\n",
	"GET / HTTP/1.1\r\nhOST: h\r\nx-waiter-token: t\r\nNoColon\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\n:empty\r\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
}

// FuzzParseAsReadRequest holds the fast parser to http.ReadRequest: a
// head it takes (pipelined ones too, reusing its objects) must be one
// ReadRequest accepts, with the same method, URL, headers, host, close
// and body framing (the same body bytes and the same bytes left after
// it), and the same answer of net/http's server's checks (checkRequest,
// which skips the header fields of a head the fast parser took); a head
// it does not take must be left unread, for ReadRequest.
func FuzzParseAsReadRequest(f *testing.F) {
	// Seeds with names in other cases than their canonical ones, so that
	// the name cache's slots fill and collide.
	f.Add([]byte("GET / HTTP/1.1\r\nhost: h\r\nx-waiter-version: 1\r\nx-waiter-max-instances: 2\r\nX-WAITER-VERSION: 3\r\n\r\n"))
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.WithValue(context.Background(), connKey{}, 1)
		base := (&http.Request{}).WithContext(ctx)
		var h fastHead
		fast := bufio.NewReaderSize(bytes.NewReader(in), 4<<10)
		std := bufio.NewReaderSize(bytes.NewReader(in), 4<<10)
		for range 8 {
			if _, err := fast.Peek(1); err != nil {
				return
			}
			buffered := fast.Buffered()
			// The same bytes as the event loops parse them, names through
			// a cache kept across inputs (its slots hold other inputs' names).
			peek, _ := fast.Peek(buffered)
			looped := Head{Names: &fuzzNames}
			lr, _, lok := looped.Parse(peek, base)
			got, ok := h.parseFast(fast, base)
			if lok != ok || ok && !reflect.DeepEqual(lr.Header, got.Header) {
				t.Fatalf("with a name cache: taken %v, header %v; without: taken %v", lok, lr.Header, ok)
			}
			if !ok {
				if fast.Buffered() != buffered {
					t.Fatalf("a head left to ReadRequest was read from")
				}
				return
			}
			_, _ = std.Peek(1) // buffered, as the server's reader is when it reads a head
			want, stdHost, err := readRequest(std)
			if err != nil {
				t.Fatalf("fast parser took a head ReadRequest refuses (%v):\n%q", err, in)
			}
			sameRequest(t, got, want)
			if fh := fieldsHeader(h.fields); !reflect.DeepEqual(fh, got.Header) {
				t.Fatalf("fields make %v, the header is %v", fh, got.Header)
			}
			if full, short := checkRequest(want, stdHost, false), checkRequest(got, true, true); full != short {
				t.Fatalf("checks of a head the fast parser took: %v, all of net/http's: %v", short, full)
			}
			if got.Context() != ctx {
				t.Fatalf("request without the connection's context")
			}
			gb, gerr := readAll(got.Body)
			wb, werr := readAll(want.Body)
			if !bytes.Equal(gb, wb) || !errors.Is(gerr, werr) && gerr != werr {
				t.Fatalf("body %q (%v), ReadRequest's %q (%v)", gb, gerr, wb, werr)
			}
			if gerr != nil {
				return // the connection ended in the body
			}
		}
	})
}

// fuzzNames is the name cache FuzzParseAsReadRequest's inputs share, as
// the heads of one event loop do.
var fuzzNames headername.Cache

// fieldsHeader is the header map fields make, each value appended under
// its key in the order the fields come.
func fieldsHeader(fields []Field) http.Header {
	h := http.Header{}
	for _, f := range fields {
		h[f.Key] = append(h[f.Key], f.Value)
	}
	return h
}

// connKey marks the connection's context in FuzzParseAsReadRequest.
type connKey struct{}

func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(r)
	return b, err
}

func sameRequest(t *testing.T, got, want *http.Request) {
	t.Helper()
	type view struct {
		Method, Proto, Host, RequestURI string
		Major, Minor                    int
		URL                             any
		Header                          http.Header
		ContentLength                   int64
		Close                           bool
		TE                              []string
		Trailer                         http.Header
		NoBody                          bool
	}
	v := func(r *http.Request) view {
		return view{r.Method, r.Proto, r.Host, r.RequestURI, r.ProtoMajor, r.ProtoMinor, *r.URL, r.Header,
			r.ContentLength, r.Close, r.TransferEncoding, r.Trailer, r.Body == http.NoBody}
	}
	if g, w := v(got), v(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("fast parser's request\n%+v\nReadRequest's\n%+v", g, w)
	}
}

// TestParseFastTakesPlainHeads: the common heads take the fast parser
// (the fuzz target would pass, vacuously, if it took none).
func TestParseFastTakesPlainHeads(t *testing.T) {
	for _, s := range parseSeeds[:fastSeeds] {
		var h fastHead
		br := bufio.NewReaderSize(bytes.NewReader([]byte(s)), 4<<10)
		_, _ = br.Peek(1)
		if _, ok := h.parseFast(br, &http.Request{}); !ok {
			t.Errorf("not taken: %q", s)
		}
	}
	for _, s := range parseSeeds[fastSeeds:] {
		var h fastHead
		br := bufio.NewReaderSize(bytes.NewReader([]byte(s)), 4<<10)
		_, _ = br.Peek(1)
		if _, ok := h.parseFast(br, &http.Request{}); ok {
			t.Errorf("taken: %q", s)
		}
	}
}

// A Head given an arena (the event loops') costs no allocation per head
// in the steady state, and every head's strings stay as they were while
// later heads are cut from the same chunks and the caller's buffer is
// written over.
func TestHeadWithArenaAllocatesNothing(t *testing.T) {
	const n = 400
	h := Head{Strings: new(strarena.Arena)}
	base := (&http.Request{}).WithContext(context.Background())
	heads := make([][]byte, n+1)
	for i := range heads {
		heads[i] = fmt.Appendf(nil, "GET /p%06d HTTP/1.1\r\nHost: example.com\r\nx-waiter-token: kit-%06d\r\n\r\n", i, i)
	}
	buf := make([]byte, 0, 256) // one buffer for every head, as a connection's
	paths, tokens := make([]string, 0, n+1), make([]string, 0, n+1)
	i := 0
	allocs := testing.AllocsPerRun(n, func() {
		buf = append(buf[:0], heads[i]...)
		r, _, ok := h.Parse(buf, base)
		if !ok {
			t.Fatalf("head %d not taken", i)
		}
		paths, tokens = append(paths, r.URL.Path), append(tokens, r.Header["X-Waiter-Token"][0])
		i++
	})
	if allocs > 0.05 { // an 8 KB chunk holds about 100 of these heads
		t.Errorf("%.3f allocations per head, want a chunk's share", allocs)
	}
	for j := range paths {
		if want := fmt.Sprintf("/p%06d", j); paths[j] != want {
			t.Fatalf("path %d became %q, want %q", j, paths[j], want)
		}
		if want := fmt.Sprintf("kit-%06d", j); tokens[j] != want {
			t.Fatalf("token %d became %q, want %q", j, tokens[j], want)
		}
	}
}

// A parser kept idle with Forget holds nothing of its last head: the
// arena chunk the head was cut from is freed once the arena moves on.
func TestForgetDropsTheHeadsChunk(t *testing.T) {
	strarena.Track(true)
	defer strarena.Track(false)
	a := new(strarena.Arena)
	h := Head{Strings: a}
	before := strarena.Settled()
	if _, _, ok := h.Parse([]byte("GET /a HTTP/1.1\r\nHost: x\r\nX-Waiter-Token: t\r\n\r\n"), &http.Request{}); !ok {
		t.Fatal("not taken")
	}
	*a = strarena.Arena{} // the arena moves on to another chunk
	if live := strarena.Settled() - before; live != 1 {
		t.Fatalf("%d chunks alive with the parser holding its head, want 1", live)
	}
	h.Forget()
	if live := strarena.Settled() - before; live != 0 {
		t.Errorf("%d chunks alive after Forget, want 0", live)
	}
	if r, _, ok := h.Parse([]byte("GET /b HTTP/1.1\r\nHost: y\r\n\r\n"), &http.Request{}); !ok || r.URL.Path != "/b" || r.Host != "y" {
		t.Errorf("after Forget: %v %v", r, ok)
	}
}

// Head.Parse takes from bytes what the connection parser takes from its
// reader, with the same request, and reports the head's length.
func TestHeadParseBytes(t *testing.T) {
	raw := "GET /a/b?x=1 HTTP/1.1\r\nHost: example.test\r\nX-Waiter-Token: t\r\nConnection: close\r\n\r\nNEXT"
	var h Head
	base := &http.Request{}
	r, n, ok := h.Parse([]byte(raw), base)
	if !ok || n != len(raw)-len("NEXT") {
		t.Fatalf("Parse: ok %v n %d", ok, n)
	}
	if r.Method != "GET" || r.URL.Path != "/a/b" || r.URL.RawQuery != "x=1" || r.Host != "example.test" ||
		r.Header.Get("X-Waiter-Token") != "t" || !r.Close || r.Body != http.NoBody {
		t.Fatalf("request %+v", r)
	}
	if _, _, ok := h.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n"), base); ok {
		t.Error("an unfinished head parsed")
	}
	if _, _, ok := h.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), base); ok {
		t.Error("a chunked head parsed: it is left to http.ReadRequest")
	}
}

// TestHeadFieldsInWireOrder parses two heads through one Head: each
// one's fields are its own header lines in the order sent, Host left
// out, repeated names where they came, and nothing of the longer head
// before.
func TestHeadFieldsInWireOrder(t *testing.T) {
	var h Head
	base := &http.Request{}
	heads := []struct {
		head string
		want []Field
	}{
		{"GET / HTTP/1.1\r\nx-b: 1\r\nHost: a\r\nAccept: */*\r\nX-B: 2\r\nx-waiter-token: t\r\n\r\n",
			[]Field{{"X-B", "1"}, {"Accept", "*/*"}, {"X-B", "2"}, {"X-Waiter-Token", "t"}}},
		{"GET /x HTTP/1.1\r\nHost: a\r\nuser-agent: u\r\n\r\n", []Field{{"User-Agent", "u"}}},
		{"GET /y HTTP/1.1\r\nHost: a\r\n\r\n", []Field{}},
	}
	for _, c := range heads {
		r, _, ok := h.Parse([]byte(c.head), base)
		if !ok {
			t.Fatalf("%q: not taken", c.head)
		}
		if got := h.Fields(); !slices.Equal(got, c.want) {
			t.Errorf("%q: fields %v, want %v", c.head, got, c.want)
		}
		if fh := fieldsHeader(h.Fields()); !reflect.DeepEqual(fh, r.Header) {
			t.Errorf("%q: fields make %v, the header is %v", c.head, fh, r.Header)
		}
	}
}
