package waiterhttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// backendAnswering listens on a free loopback port and, on the first
// connection, answers each request with the next of answers once its
// head is read; the request lines go to lines. It returns the address.
func backendAnswering(t *testing.T, answers ...string) (addr string, lines <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	seen := make(chan string, len(answers))
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for _, answer := range answers {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			seen <- line
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if l == "\r\n" {
					break
				}
			}
			_, _ = io.WriteString(c, answer)
		}
	}()
	return ln.Addr().String(), seen
}

// The fast client sends the request target as the client sent it: no
// path normalization (dot segments, double slashes, escapes).
func TestFastClientSendsTheTargetVerbatim(t *testing.T) {
	addr, lines := backendAnswering(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	const target = "/a/../b//c/%2e%2E/d%2Fe?x=%2F&y=a+b&&z"
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	u.Scheme, u.Host = "http", addr
	out := &http.Request{Method: http.MethodGet, URL: u, Host: "svc.example", Header: http.Header{}}
	f := newFastClients(time.Second, clock.New(), nil)
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

// A connection's answers share one header map (fastConn.header), each
// answer's emptied of the one before: the second answer shows only its
// own headers, and the first's values, copied out before its body was
// closed, are untouched.
func TestFastClientHeaderMapPerConnection(t *testing.T) {
	addr, _ := backendAnswering(t, "HTTP/1.1 200 OK\r\nX-First: 1\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nX-Second: 2\r\nContent-Length: 2\r\n\r\nok")
	u := &url.URL{Scheme: "http", Host: addr, Path: "/"}
	f := newFastClients(time.Second, clock.New(), nil)
	defer f.close()
	var first []string // the first answer's X-First entry, as forward copies it out
	for i := range 2 {
		out := &http.Request{Method: http.MethodGet, URL: u, Host: "svc.example", Header: http.Header{}}
		now := time.Now()
		resp, err := f.roundTrip(context.Background(), out, &backendHeaders{in: http.Header{}}, now, now.Add(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = resp.Header["X-First"]
		} else {
			if _, ok := resp.Header["X-First"]; ok {
				t.Error("the second answer's header has the first's X-First")
			}
			if got := resp.Header.Get("X-Second"); got != "2" {
				t.Errorf("second answer's X-Second %q, want 2", got)
			}
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	if len(first) != 1 || first[0] != "1" {
		t.Errorf("first answer's X-First %q, want [1]", first)
	}
	f.mu.Lock()
	conns := len(f.idle[u.Host])
	var kept int
	if conns > 0 {
		kept = len(f.idle[u.Host][0].hdr)
	}
	f.mu.Unlock()
	if conns != 1 {
		t.Fatalf("%d idle connections, want the one both answers came on", conns)
	}
	// Idle, it keeps none of the last answer's strings (cut from a shared
	// arena: their chunk would stay alive with them).
	if kept != 0 {
		t.Errorf("the idle connection's header map holds %d entries, want none", kept)
	}
}

// A connection the pool keeps holds no buffers while it is idle
// (fastConn.dropBuffers); the next exchange on it takes others, and the
// answers read through them, a long streamed one among them, are whole.
func TestFastPoolIdleConnectionHoldsNoBuffers(t *testing.T) {
	bodies := []string{"first", strings.Repeat("0123456789", 4000), "third"}
	answers := make([]string, len(bodies))
	for i, body := range bodies {
		answers[i] = "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	addr, _ := backendAnswering(t, answers...)
	u := &url.URL{Scheme: "http", Host: addr, Path: "/"}
	f := newFastClients(time.Second, clock.New(), nil)
	defer f.close()
	for i, want := range bodies {
		out := &http.Request{Method: http.MethodGet, URL: u, Host: "svc.example", Header: http.Header{}}
		now := time.Now()
		resp, err := f.roundTrip(context.Background(), out, &backendHeaders{in: http.Header{}}, now, now.Add(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || string(got) != want {
			t.Fatalf("answer %d: %d bytes (%v), want %d", i, len(got), err, len(want))
		}
		f.mu.Lock()
		idle := f.idle[u.Host]
		f.mu.Unlock()
		if len(idle) != 1 {
			t.Fatalf("answer %d: %d idle connections, want the one all answers came on", i, len(idle))
		}
		if c := idle[0]; c.br != nil || c.bw != nil {
			t.Fatalf("answer %d: the idle connection holds its buffers", i)
		}
	}
}
