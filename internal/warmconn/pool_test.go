package warmconn

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// pair returns the two ends of a loopback connection: the one a pool
// keeps, and its peer, which sees it closed.
func pair(t *testing.T) (kept, peer net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	kept, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if peer, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kept.Close(); _ = peer.Close() })
	return kept, peer
}

// closedByPool reports whether peer sees its end closed within a while.
func closedByPool(t *testing.T, peer net.Conn) bool {
	t.Helper()
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := peer.Read(make([]byte, 1))
	return errors.Is(err, io.EOF)
}

func TestTakeGivesThePutConnectionOnce(t *testing.T) {
	p := New(time.Minute)
	defer p.Close()
	c, _ := pair(t)
	p.Put("a:1", c)
	if p.Take("b:1") != nil {
		t.Error("another address took it")
	}
	if got := p.Take("a:1"); got != c {
		t.Fatalf("Take = %v, want the connection put", got)
	}
	if p.Take("a:1") != nil || p.Len() != 0 {
		t.Error("a connection was taken twice")
	}
}

func TestASecondPutClosesTheFirst(t *testing.T) {
	p := New(time.Minute)
	defer p.Close()
	first, firstPeer := pair(t)
	second, _ := pair(t)
	p.Put("a:1", first)
	p.Put("a:1", second)
	if !closedByPool(t, firstPeer) {
		t.Error("the replaced connection was left open")
	}
	if got := p.Take("a:1"); got != second {
		t.Errorf("Take = %v, want the newer connection", got)
	}
}

func TestAConnectionNobodyTakesIsClosed(t *testing.T) {
	p := New(20 * time.Millisecond)
	defer p.Close()
	c, peer := pair(t)
	p.Put("a:1", c)
	if !closedByPool(t, peer) {
		t.Fatal("a connection kept past its age is still open")
	}
	if p.Take("a:1") != nil || p.Len() != 0 {
		t.Error("an expired connection is still kept")
	}
}

func TestCloseClosesKeptAndLaterConnections(t *testing.T) {
	p := New(time.Minute)
	c, peer := pair(t)
	p.Put("a:1", c)
	p.Close()
	if !closedByPool(t, peer) {
		t.Error("Close left a kept connection open")
	}
	late, latePeer := pair(t)
	p.Put("a:1", late)
	if !closedByPool(t, latePeer) || p.Take("a:1") != nil {
		t.Error("a connection put after Close was kept")
	}
}

func TestNilPoolKeepsNothing(t *testing.T) {
	var p *Pool
	c, peer := pair(t)
	p.Put("a:1", c)
	if !closedByPool(t, peer) || p.Take("a:1") != nil {
		t.Error("a nil pool kept a connection")
	}
}
