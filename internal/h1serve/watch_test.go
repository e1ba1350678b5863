package h1serve

import (
	"bufio"
	"context"
	"net"
	"testing"
)

// One reader of the connection at a time: a second fire while a read
// runs for the request (the previous request's timer call, which Stop
// could not catch, arriving after the watch was re-armed, then the new
// timer) starts nothing. Two readers raced on the bufio.Reader (seen by
// the race detector in serve's flood test).
func TestWatchFiresOneReader(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	sc := &conn{c: server}
	_, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := sc.watch(bufio.NewReader(server), nil, cancel, nil)
	w.fire()
	w.mu.Lock()
	first := w.running
	w.mu.Unlock()
	if first == nil {
		t.Fatal("the first fire started no read")
	}
	w.fire()
	w.mu.Lock()
	second := w.running
	w.mu.Unlock()
	if second != first {
		t.Fatal("a second fire started another read of the same connection")
	}
	if gone := w.stop(); gone {
		t.Error("stop reported the client gone; it is still there")
	}
	<-first
}
