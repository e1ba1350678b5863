package h1serve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A head the fast parser takes leaves its wait's deadline on the
// connection (serveOne): a request that outlasts that deadline must still
// see its client go away (the watch clears it), and a body sent after it
// must still be read whole.
func TestDeadlineLeftOnHeadDoesNotCutRequests(t *testing.T) {
	const timeout = 50 * time.Millisecond
	canceled := make(chan struct{})
	started := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/wait":
			close(started)
			select {
			case <-r.Context().Done():
				close(canceled)
			case <-time.After(10 * time.Second):
			}
		case "/body":
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, _ = w.Write(b)
		default:
			_, _ = io.WriteString(w, "ok")
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Handler: handler, ReadHeaderTimeout: timeout, IdleTimeout: timeout}
	served := make(chan struct{})
	go func() {
		defer close(served)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				s.ServeConn(c)
				_ = c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-served
		s.Close()
	})

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	roundTrip := func(head, body string) string {
		t.Helper()
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
		if body != "" {
			// The body comes well after the head's deadline.
			time.Sleep(3 * timeout)
			if _, err := io.WriteString(c, body); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return string(b)
	}
	if got := roundTrip("GET /first HTTP/1.1\r\nHost: a\r\n\r\n", ""); got != "ok" {
		t.Fatalf("first: %q", got)
	}
	if got := roundTrip("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", "hello"); got != "hello" {
		t.Fatalf("late body: %q", got)
	}
	if _, err := io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	<-started
	time.Sleep(3 * timeout) // past the deadline the head's wait set
	_ = c.Close()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the request's context was not canceled when the client went away")
	}
}
