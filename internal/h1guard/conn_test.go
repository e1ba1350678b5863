package h1guard

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A refused head, or framing the guard cannot follow, after a request
// still being served (pipelined) leaves that request alone: net/http's
// server reads in the background while a handler runs to learn whether
// the client went away, and the guard's end of the stream must not read
// as the client's. The first request is answered by its handler (which
// waits until the later bytes have surely been read), then the later
// one as net/http answers it.
func TestEndOfStreamLeavesEarlierRequestsServed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return // net/http then answers an empty 200
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "broken body", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "served "+r.URL.Path)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(Listen(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, c := range []struct {
		name, second string
		want         int
	}{
		{"refused head", "POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 6\r\n\r\nabcd", http.StatusBadRequest},
		{"bad chunk size", "POST /second HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n", http.StatusBadRequest},
		{"bad chunk end", "POST /second HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcdXY0\r\n\r\n", http.StatusBadRequest},
		{"unknown coding", "POST /second HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabcd", http.StatusNotImplemented},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.WriteString(conn, "GET /first HTTP/1.1\r\nHost: h\r\n\r\n"+c.second)
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != "served /first" {
				t.Errorf("the first request: %d %q, want 200 %q", resp.StatusCode, body, "served /first")
			}
			resp, err = http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != c.want {
				t.Errorf("the later request: %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
}
