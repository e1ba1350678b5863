package h1serve

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"
)

// parkServed serves one loopback connection with ServeParkable and
// returns the client's end, the server's, and a channel with how
// ServeParkable ended (and when). The test's cleanup closes both ends.
func parkServed(t *testing.T, s *Server, wrap func(net.Conn) net.Conn) (net.Conn, net.Conn, chan parkEnd) {
	t.Helper()
	client, raw := loopbackPair(t)
	ended := make(chan parkEnd, 1)
	go func() {
		c := raw
		if wrap != nil {
			c = wrap(raw)
		}
		ended <- parkEnd{s.ServeParkable(c), time.Now()}
	}()
	t.Cleanup(func() { _ = client.Close(); _ = raw.Close() })
	return client, raw, ended
}

type parkEnd struct {
	End
	at time.Time
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
}

func awaitEnd(t *testing.T, ended chan parkEnd) parkEnd {
	t.Helper()
	select {
	case e := <-ended:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("ServeParkable did not return in 10s")
		return parkEnd{}
	}
}

// A keep-alive connection idle for ParkAfter ends ServeParkable with
// End.Park, the time its idle timeout would have closed it.
// With no ReadHeaderTimeout too: served again, the connection does not
// keep the deadline that parked it.
func TestServeParkableParksAnIdleConnection(t *testing.T) {
	for _, headTimeout := range []time.Duration{5 * time.Second, 0} {
		t.Run("ReadHeaderTimeout "+headTimeout.String(), func(t *testing.T) { parkAndServeAgain(t, headTimeout) })
	}
}

func parkAndServeAgain(t *testing.T, headTimeout time.Duration) {
	s := &Server{Handler: okHandler(), ReadHeaderTimeout: headTimeout, IdleTimeout: time.Minute,
		ParkAfter: 100 * time.Millisecond}
	client, raw, ended := parkServed(t, s, nil)
	br := bufio.NewReader(client)
	sent := time.Now()
	get(t, client, br, 1)
	answered := time.Now()
	e := awaitEnd(t, ended)
	if e.Park.IsZero() || e.Handoff {
		t.Fatalf("ended %+v, want parked", e.End)
	}
	if idle := e.at.Sub(answered); idle > time.Second {
		t.Fatalf("parked after %v idle, want about ParkAfter (100ms)", idle)
	}
	// The server starts the idle wait once it has written the answer: after
	// the request was sent, before it parked (not necessarily before the
	// client read the answer).
	if e.Park.Before(sent.Add(time.Minute)) || e.Park.After(e.at.Add(time.Minute)) {
		t.Fatalf("park until %v after the request was sent (parked %v after), want the idle timeout (1m) after the answer",
			e.Park.Sub(sent), e.at.Sub(sent))
	}
	// Served again, as a new connection: the client's next request is
	// answered on the same socket, and it parks again.
	go func() { ended <- parkEnd{s.ServeParkable(raw), time.Now()} }()
	get(t, client, br, 2)
	if e := awaitEnd(t, ended); e.Park.IsZero() {
		t.Fatalf("served again, ended %+v, want parked again", e.End)
	}
}

// ServeConn never parks, and neither does ServeParkable when the idle
// timeout comes first: the connection is closed idle, as before.
func TestNoParkWhenTheIdleTimeoutComesFirst(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *Server
	}{
		{"idle timeout before ParkAfter", &Server{Handler: okHandler(), IdleTimeout: 150 * time.Millisecond, ParkAfter: time.Minute}},
		{"no ParkAfter", &Server{Handler: okHandler(), IdleTimeout: 150 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, _, ended := parkServed(t, tc.s, nil)
			get(t, client, bufio.NewReader(client), 1)
			if e := awaitEnd(t, ended); !e.Park.IsZero() || e.Handoff {
				t.Fatalf("ended %+v, want closed at the idle timeout", e.End)
			}
		})
	}
}

// heldConn is a connection that says it holds a request's bytes above
// the socket, as an h1guard.Split holding a head that came in part.
type heldConn struct {
	net.Conn
	idleCalls int
}

func (c *heldConn) Idle() bool { c.idleCalls++; return false }

// A connection that holds part of a request is not parked: its wait ends
// as it did without parking (closed).
func TestNoParkWithARequestHeld(t *testing.T) {
	s := &Server{Handler: okHandler(), IdleTimeout: time.Minute, ParkAfter: 100 * time.Millisecond}
	var held *heldConn
	client, _, ended := parkServed(t, s, func(c net.Conn) net.Conn { held = &heldConn{Conn: c}; return held })
	get(t, client, bufio.NewReader(client), 1)
	e := awaitEnd(t, ended)
	if !e.Park.IsZero() {
		t.Fatalf("ended %+v, want not parked", e.End)
	}
	if held.idleCalls == 0 {
		t.Fatal("ServeParkable did not ask the connection whether it holds a request")
	}
}
