package h1serve

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// A keep-alive connection whose response was written in the wait for its
// next request (awaitNext) does not hold Shutdown until that request or
// the idle timeout: Shutdown ends the wait, and the response is out.
func TestShutdownEndsTheWaitForTheNextRequest(t *testing.T) {
	s := &Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") }),
		ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute,
	}
	addr := serveRaw(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("%d, close %v; want a kept-alive 200", resp.StatusCode, resp.Close)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a connection waiting for its next request: %v", err)
	}
	// The server closed the connection: the client reads its end.
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("read a byte after the response; want the connection closed")
	}
}

// Requests one after another on a connection, each sent only once the
// previous answer is read: every answer is written by the wait for the
// next request, and each comes whole.
func TestAnswersComeBeforeTheNextRequest(t *testing.T) {
	s := &Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "answer to %s", r.URL.Path)
		}),
		ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute,
	}
	addr := serveRaw(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i := range 50 {
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		var body [64]byte
		n, _ := resp.Body.Read(body[:])
		_ = resp.Body.Close()
		if want := fmt.Sprintf("answer to /%d", i); string(body[:n]) != want {
			t.Fatalf("request %d: %q, want %q", i, body[:n], want)
		}
	}
}
