// Command loopproxy is a bare event-loop reverse proxy proxybench measures
// beside fastproxy: gnet's event loops (one per core, each an epoll loop
// on a locked thread) serve the clients, and each loop keeps its own pool
// of keep-alive connections to the one backend, registered on the same
// loop, so a request and its response cross no goroutine and no thread.
// It has no logic at all and frames only what the kitchen sends:
// requests with or without a Content-Length body, responses with a
// Content-Length (anything else is a 502), each buffered whole before it
// is passed on (so 1 MiB uploads cost it what they cost nginx, which
// buffers them too). It shows the floor a Go proxy
// built like nginx (an event loop, not a goroutine per connection)
// reaches on the machine; it is a measurement, not a proxy to use.
//
// With -work D it spends D of CPU on every request, standing in for a
// router's own work (internal/burn).
//
//	loopproxy -listen 127.0.0.1:PORT -backend 127.0.0.1:PORT [-work 3us]
package main

import (
	"bytes"
	"context"
	"flag"
	"log"
	"net"
	"runtime"

	"github.com/panjf2000/gnet/v2"
	"github.com/waiter-go/waiter/test/bench/proxybench/internal/burn"
	"github.com/waiter-go/waiter/test/bench/proxybench/internal/h1frame"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (loopback)")
	backend := flag.String("backend", "", "the backend's host:port")
	loops := flag.Int("loops", runtime.NumCPU(), "event loops")
	work := flag.Duration("work", 0, "CPU to spend on every request, standing in for a router's own work (0: none)")
	flag.Parse()
	addr, err := net.ResolveTCPAddr("tcp", *backend)
	if err != nil {
		log.Fatalf("loopproxy: -backend: %v", err)
	}
	p := &proxy{backend: addr, pools: map[gnet.EventLoop]*pool{}}
	if *work > 0 {
		p.work = burn.New(*work)
	}
	log.Fatal(gnet.Run(p, "tcp://"+*listen, gnet.WithNumEventLoop(*loops), gnet.WithTCPNoDelay(gnet.TCPNoDelay)))
}

// proxy is the event handler of every connection, client or backend.
type proxy struct {
	gnet.BuiltinEventEngine
	backend net.Addr
	pools   map[gnet.EventLoop]*pool // filled as loops open connections (OnOpen runs before any use)
	work    *burn.Burner             // -work; nil: none
}

// front is a client connection; it has one request at the backend at a
// time (wrk does not pipeline; a pipelined request waits in the buffer).
type front struct {
	c     gnet.Conn
	pool  *pool
	back  *back           // the backend connection answering it, if any
	close bool            // the request in flight said Connection: close
	need  int             // the length of the request whose head was read (0: none yet)
	req   h1frame.Message // the whole request in the buffer, framed, while it waits for a backend connection
	sink  uint64          // the -work loop's result
}

// back is a backend connection and the client it answers.
type back struct {
	c      gnet.Conn // nil until it is open
	client *front
	pool   *pool
	need   int // the length of the response whose head was read (0: none yet)
}

// pool is one loop's backend connections: idle ones, and clients waiting
// for one while it dials.
type pool struct {
	idle    []*back
	waiting []*front
	dialing int
}

func (p *proxy) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	if b, ok := c.Context().(*back); ok {
		b.c = c
		b.pool.dialing--
		p.release(b)
		return nil, gnet.None
	}
	pl := p.pools[c.EventLoop()]
	if pl == nil {
		pl = &pool{}
		p.pools[c.EventLoop()] = pl
	}
	c.SetContext(&front{c: c, pool: pl})
	return nil, gnet.None
}

func (p *proxy) OnClose(c gnet.Conn, _ error) gnet.Action {
	switch v := c.Context().(type) {
	case *front:
		if v.back != nil {
			_ = v.back.c.Close() // its answer has nowhere to go
		}
		v.pool.waiting = remove(v.pool.waiting, v)
	case *back:
		v.pool.idle = remove(v.pool.idle, v)
		if v.client != nil {
			v.client.back = nil
			_ = v.client.c.Close()
		}
	}
	return gnet.None
}

func (p *proxy) OnTraffic(c gnet.Conn) gnet.Action {
	switch v := c.Context().(type) {
	case *front:
		return p.serve(v)
	case *back:
		return p.answer(v)
	}
	return gnet.None
}

// serve sends a client's next whole request to an idle backend
// connection, or queues the client and dials one.
func (p *proxy) serve(f *front) gnet.Action {
	if f.back != nil || contains(f.pool.waiting, f) {
		return gnet.None
	}
	_, m, ok := next(f.c, &f.need, true)
	if !ok {
		return gnet.None
	}
	f.req = m
	if p.work != nil {
		f.sink = p.work.Burn(f.sink)
	}
	if m.Bad {
		_, _ = f.c.Write([]byte("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		return gnet.Close
	}
	pl := f.pool
	if len(pl.idle) == 0 {
		pl.waiting = append(pl.waiting, f)
		if pl.dialing < len(pl.waiting) {
			pl.dialing++
			b := &back{pool: pl}
			if _, err := f.c.EventLoop().Register(gnet.NewContext(context.Background(), b), p.backend); err != nil {
				pl.dialing--
				return gnet.Close
			}
		}
		return gnet.None
	}
	b := pl.idle[len(pl.idle)-1]
	pl.idle = pl.idle[:len(pl.idle)-1]
	p.send(f, b)
	return gnet.None
}

// send writes the client's request (whole in its buffer, framed in
// f.req) to b, without its Connection header: the backend connection
// stays open whatever the client asked.
func (p *proxy) send(f *front, b *back) {
	buf, _ := f.c.Peek(-1)
	m := f.req
	if m.ConnStart < 0 {
		_, _ = b.c.Write(buf[:m.N])
	} else {
		_, _ = b.c.Writev([][]byte{buf[:m.ConnStart], buf[m.ConnEnd:m.N]})
	}
	_, _ = f.c.Discard(m.N)
	f.back, f.close, b.client = b, m.Close, f
}

// answer relays a backend's whole response to its client.
func (p *proxy) answer(b *back) gnet.Action {
	buf, m, ok := next(b.c, &b.need, false)
	if !ok {
		return gnet.None
	}
	f := b.client
	if f == nil || m.Bad {
		if f != nil {
			_, _ = f.c.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			f.back, b.client = nil, nil
			_ = f.c.Close()
		}
		return gnet.Close
	}
	if f.close {
		// Say so, as the client asked: a response that does not would
		// have it wait for another on the same connection.
		line := bytes.Index(buf, []byte("\r\n")) + 2
		_, _ = f.c.Writev([][]byte{buf[:line], []byte("Connection: close\r\n"), buf[line:m.N]})
	} else {
		_, _ = f.c.Write(buf[:m.N])
	}
	_, _ = b.c.Discard(m.N)
	f.back, b.client = nil, nil
	if f.close {
		_ = f.c.Close()
	}
	if m.Close {
		return gnet.Close
	}
	p.release(b)
	if !f.close && f.c.InboundBuffered() > 0 {
		if p.serve(f) == gnet.Close {
			_ = f.c.Close()
		}
	}
	return gnet.None
}

// next frames the message at the front of c's buffer once it is whole
// (ok), with the buffer. Once the head is read, need is the message's
// length, and the buffer is not looked at again (gnet's Peek of a
// wrapped buffer copies it) until that much came.
func next(c gnet.Conn, need *int, request bool) (buf []byte, m h1frame.Message, ok bool) {
	if *need > 0 && c.InboundBuffered() < *need {
		return nil, m, false
	}
	buf, _ = c.Peek(-1)
	m, ok = h1frame.Frame(buf, request)
	if !ok {
		*need = m.N
		return nil, m, false
	}
	*need = 0
	return buf, m, true
}

// release gives an open backend connection to the first waiting client,
// or to the idle list.
func (p *proxy) release(b *back) {
	pl := b.pool
	if len(pl.waiting) > 0 {
		f := pl.waiting[0]
		pl.waiting = pl.waiting[1:]
		p.send(f, b)
		return
	}
	pl.idle = append(pl.idle, b)
}

func remove[T comparable](s []T, v T) []T {
	for i, x := range s {
		if x == v {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
