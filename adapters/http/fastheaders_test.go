package waiterhttp

import (
	"bufio"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/waiter-go/waiter/internal/strarena"
)

// A fast answer's headers arrive as net/http's transport would give them:
// canonical names, repeated headers in order, no Content-Length.
func TestCopyFastHeaders(t *testing.T) {
	var rh fasthttp.ResponseHeader
	raw := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\n" +
		"x-custom-thing: one\r\nSet-Cookie: b=2\r\nX-Custom-Thing: two\r\nVary: Accept\r\n\r\n"
	if err := rh.Read(bufioReader(raw)); err != nil {
		t.Fatal(err)
	}
	// No slots given, enough (the answer's own array), too few.
	for _, slots := range [][]string{nil, make([]string, 0, 8), make([]string, 0, 2)} {
		h := http.Header{}
		copyFastHeaders(h, &rh, "", slots, new(strarena.Arena))
		want := http.Header{
			"Content-Type":   {"text/plain"},
			"Set-Cookie":     {"a=1", "b=2"},
			"X-Custom-Thing": {"one", "two"},
			"Vary":           {"Accept"},
		}
		if !reflect.DeepEqual(h, want) {
			t.Fatalf("headers (slots of cap %d)\n got %v\nwant %v", cap(slots), h, want)
		}
		h["Vary"] = append(h["Vary"], "Origin") // entries are independent
		if h.Get("Set-Cookie") != "a=1" || h.Get("Content-Type") != "text/plain" {
			t.Fatalf("appending to one entry changed another (slots of cap %d): %v", cap(slots), h)
		}
	}
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
