package waiterhttp

import (
	"context"
	"net"
	"testing"
	"time"
)

func TestHijackedWaitAndClose(t *testing.T) {
	h := newHijacked()
	if err := h.wait(context.Background()); err != nil {
		t.Fatalf("wait with no socket: %v", err)
	}
	a, aPeer := net.Pipe()
	b, bPeer := net.Pipe()
	defer aPeer.Close()
	defer bPeer.Close()
	hijackedA, doneA := h.add()
	hijackedB, doneB := h.add()
	hijackedA(a)
	hijackedB(b)
	_, doneHandshake := h.add() // a handshake under way: waited for, not closed
	doneHandshake()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.wait(ctx); err == nil {
		t.Fatal("wait returned with two sockets open")
	}
	doneA()
	waited := make(chan error, 1)
	go func() { waited <- h.wait(context.Background()) }()
	select {
	case err := <-waited:
		t.Fatalf("wait returned (%v) with one socket still open", err)
	case <-time.After(20 * time.Millisecond):
	}
	if n := h.closeAll(); n != 1 {
		t.Errorf("closeAll closed %d, want the 1 still open", n)
	}
	if _, err := bPeer.Write([]byte("x")); err == nil {
		t.Error("the open socket's connection is not closed")
	}
	doneB() // its relay ends
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("wait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wait did not return once the last socket ended")
	}
}
