package marathon

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/peerauth"
)

// peerProxy stands in front of one router as the URL its peers call
// (router-url), and can refuse calls by the router that signed them
// (X-Waiter-Router-Auth): the network partition of one router from its
// peers, while it still reaches ZooKeeper and Marathon. It reads the head
// of each connection's first request, so it sees who calls; later
// requests on a kept-alive connection come from the same router.
type peerProxy struct {
	ln     net.Listener
	target atomic.Value // string: the router's listen address, set once it runs

	mu      sync.Mutex
	blocked map[string]bool // router ids refused; "*" refuses everyone
	conns   map[net.Conn]string
}

func newPeerProxy(t *testing.T) *peerProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peerProxy{ln: ln, blocked: map[string]bool{}, conns: map[net.Conn]string{}}
	p.target.Store("")
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.block("*")
	})
	return p
}

func (p *peerProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *peerProxy) setTarget(routerURL string) { p.target.Store(routerURL[len("http://"):]) }

// block refuses calls signed by router from ("*": by anyone) and closes
// the connections they hold; unblock lets them through again.
func (p *peerProxy) block(from string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked[from] = true
	for c, f := range p.conns {
		if from == "*" || f == from {
			_ = c.Close()
			delete(p.conns, c)
		}
	}
}

func (p *peerProxy) unblock(from string) {
	p.mu.Lock()
	delete(p.blocked, from)
	p.mu.Unlock()
}

func (p *peerProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *peerProxy) serve(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(c, 64<<10)
	head, err := peekHead(br)
	_ = c.SetReadDeadline(time.Time{})
	var req *http.Request
	if err == nil {
		req, err = http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	}
	if err != nil {
		_ = c.Close()
		return
	}
	from := ""
	if cr, err := peerauth.ParseHeader(req.Header.Get(peerauth.Header)); err == nil {
		from = cr.From
	}
	target, _ := p.target.Load().(string)
	p.mu.Lock()
	refused := target == "" || p.blocked["*"] || p.blocked[from]
	if !refused {
		p.conns[c] = from
	}
	p.mu.Unlock()
	if refused {
		_ = c.Close()
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		_ = c.Close()
		return
	}
	defer func() {
		_ = up.Close()
		_ = c.Close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	// The head was only peeked at: the router gets every byte.
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// peekHead returns the head of the request at the front of br without
// consuming it (the proxy forwards every byte untouched).
func peekHead(br *bufio.Reader) ([]byte, error) {
	for {
		// Wait for one byte more than is buffered, then look at all of it.
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return nil, err
		}
		buf, _ := br.Peek(br.Buffered())
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			return buf[:i+4], nil
		}
		if len(buf) >= br.Size() {
			return nil, bufio.ErrBufferFull
		}
	}
}
