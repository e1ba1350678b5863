package waiterhttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// The fast client sends the request target as the client sent it: no
// path normalization (dot segments, double slashes, escapes).
func TestFastClientSendsTheTargetVerbatim(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		line, _ := br.ReadString('\n')
		lines <- line
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}()
	const target = "/a/../b//c/%2e%2E/d%2Fe?x=%2F&y=a+b&&z"
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	u.Scheme, u.Host = "http", ln.Addr().String()
	out := &http.Request{Method: http.MethodGet, URL: u, Host: "svc.example", Header: http.Header{}}
	f := newFastClients(time.Second, clock.New())
	defer f.close()
	now := time.Now()
	resp, err := f.roundTrip(context.Background(), out, &backendHeaders{in: http.Header{}}, now, now.Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	select {
	case line := <-lines:
		if want := "GET " + target + " HTTP/1.1\r\n"; line != want {
			t.Errorf("request line %q, want %q", line, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the backend saw no request")
	}
}
