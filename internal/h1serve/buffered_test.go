package h1serve

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Buffered frames a handler's answer byte for byte as the server does on
// a connection (Date aside): the event-loop front answers through it.
func TestBufferedFramesAsServer(t *testing.T) {
	big := strings.Repeat("<p>x</p>", 700)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			_, _ = io.WriteString(w, "<html>hello</html>")
		case "/big":
			_, _ = io.WriteString(w, big)
		case "/length":
			w.Header().Set("Content-Length", "5")
			_, _ = io.WriteString(w, "12345")
		case "/flush":
			_, _ = io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "b")
		case "/trailer":
			_, _ = io.WriteString(w, "body")
			w.(http.Flusher).Flush()
			w.Header().Set(http.TrailerPrefix+"X-Sum", "42")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, "bye")
		case "/error":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"waiter-error":{}}`)
		}
	})
	_, fast := serveBoth(t, handler)
	// One Buffered serves every case, after Done (kept buffers) or
	// Release in turn.
	var b Buffered
	for i, c := range []struct{ path, method string }{
		{"/small", "GET"}, {"/big", "GET"}, {"/length", "GET"}, {"/flush", "GET"}, {"/trailer", "GET"},
		{"/nocontent", "GET"}, {"/close", "GET"}, {"/error", "GET"}, {"/small", "HEAD"}, {"/big", "HEAD"},
	} {
		t.Run(c.method+c.path, func(t *testing.T) {
			raw := c.method + " " + c.path + " HTTP/1.1\r\nHost: a\r\n\r\n"
			want := exchange(t, fast, raw, c.method, 1)[0]

			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
			if err != nil {
				t.Fatal(err)
			}
			b.Reset(req)
			var out []byte
			handler.ServeHTTP(b.Writer(), req)
			rest, closeAfter := b.Finish()
			out = append(out, rest...)
			if i%2 == 0 {
				b.Done()
			} else {
				b.Release()
			}
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), &http.Request{Method: c.method})
			if err != nil {
				t.Fatalf("Buffered framed %q: %v", out, err)
			}
			body, err := io.ReadAll(resp.Body)
			got := answer{Status: resp.StatusCode, Header: resp.Header, TransferEncoding: resp.TransferEncoding,
				ContentLength: resp.ContentLength, Body: string(body), Trailer: resp.Trailer, Close: resp.Close}
			if err != nil {
				got.Err = "body broken"
			}
			got.Header.Del("Date")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Buffered answered\n%+v\nthe server answered\n%+v", got, want)
			}
			if closeAfter != want.Close {
				t.Errorf("Buffered says close %v, the server closed %v", closeAfter, want.Close)
			}
		})
	}
}

// Take hands over what is framed so far: a streamed answer's head as soon
// as it is flushed, then each piece of its body.
func TestBufferedTakeStreams(t *testing.T) {
	req, _ := http.NewRequest("GET", "/", nil)
	var b Buffered
	b.Reset(req)
	w := b.Writer()
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Date", "x")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	head := string(b.Take())
	if want := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: x\r\nTransfer-Encoding: chunked\r\n\r\n"; head != want {
		t.Fatalf("head %q, want %q", head, want)
	}
	_, _ = io.WriteString(w, "abc")
	w.(http.Flusher).Flush()
	if got := string(b.Take()); got != "3\r\nabc\r\n" {
		t.Fatalf("chunk %q", got)
	}
	rest, closeAfter := b.Finish()
	if string(rest) != "0\r\n\r\n" || closeAfter {
		t.Fatalf("end %q close %v", rest, closeAfter)
	}
	b.Release()
}
