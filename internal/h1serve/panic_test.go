package h1serve

import (
	"bytes"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// noPeerConn is a connection without a remote address, as net.FileConn
// makes of a socket whose client reset it first.
type noPeerConn struct{ net.Conn }

func (noPeerConn) RemoteAddr() net.Addr { return nil }

// A panic in the server's own code, outside the handler, ends that
// connection and is logged, as net/http's server does, and counted
// (Panicked); it does not take the process down. The panic here is the one a connection without a
// remote address caused (the remote address's String), which crashed
// the router.
func TestPanicOutsideTheHandlerEndsOnlyItsConnection(t *testing.T) {
	// Written by ServeConn's goroutine before it returns, read after.
	var logged bytes.Buffer
	handled, panicked := false, 0
	s := &Server{
		Handler:           http.HandlerFunc(func(http.ResponseWriter, *http.Request) { handled = true }),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(&logged, "", 0),
		Panicked:          func() { panicked++ },
	}
	client, server := net.Pipe()
	defer client.Close()
	done := make(chan End, 1)
	go func() { done <- s.ServeConn(noPeerConn{server}) }()
	_ = client.SetDeadline(time.Now().Add(5 * time.Second))
	go func() { _, _ = client.Write([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")) }()
	select {
	case end := <-done:
		if end != (End{}) {
			t.Errorf("ServeConn ended %+v, want the connection closed (End{})", end)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeConn did not return")
	}
	if handled {
		t.Error("the handler ran")
	}
	if !strings.Contains(logged.String(), "h1serve: panic serving <nil>") {
		t.Errorf("the panic was not logged: %q", logged.String())
	}
	if panicked != 1 {
		t.Errorf("Panicked was called %d times, want once", panicked)
	}
}
