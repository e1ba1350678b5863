//go:build linux

package serve

import (
	"io"
	"strings"
	"testing"
)

// A client that sends more after a request with Connection: close gets
// that request's answer and then the end of the stream, not a reset: the
// loops end the stream before closing a connection with unread bytes
// (closed with them, the socket resets the connection, which can lose
// the answer's bytes not sent yet).
func TestEventLoopClosesWithUnreadBytesByEndingTheStream(t *testing.T) {
	rt, fr := startFrontRouter(t, loopBackend())
	host := strings.TrimPrefix(rt.url, "http://")
	req := "GET /small HTTP/1.1\r\nHost: h\r\n" + streamService + "Connection: close\r\n\r\n"
	exchangePieces(t, host, []string{req}, []string{"GET"}) // starts the service (handed off)
	served := fr.loops.Served()
	c := dialRaw(t, host)
	// About 100 KB: more than the loop reads ahead of a request (64 KB),
	// so that some stays unread, and less than the socket buffers hold,
	// so that the write is done before the router answers.
	c.send(req + strings.Repeat("GET /small HTTP/1.1\r\nHost: h\r\n\r\n", 3000))
	status, body, _ := c.answer("GET")
	if status != 200 || body != "hello GET /small" {
		t.Fatalf("answer %d %q", status, body)
	}
	if fr.loops.Served() == served {
		t.Fatal("the loops did not serve the request")
	}
	if rest, err := io.ReadAll(c.br); err != nil || len(rest) > 0 {
		t.Errorf("after the answer: %q, %v; want the end of the stream", rest, err)
	}
}
