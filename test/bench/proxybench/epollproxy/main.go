//go:build linux

// Command epollproxy is loopproxy's design without gnet: event loops, one
// per core, each an epoll set of its own, and each loop's own pool of
// keep-alive connections to the one backend. The sockets are Go's own
// net.Conns, whose file descriptors the loops read and write directly
// (as internal/connpark watches idle ones). A router built this way can
// therefore hand a connection whose request the loop does not serve (an
// upgrade, a queued or streamed request) to a goroutine as it is, which
// gnet's connections do not allow; proxybench measures it beside gnet to
// show what that choice costs. Like loopproxy it has no logic, frames only
// what the kitchen sends (internal/h1frame) and is a measurement, not a
// proxy to use. It dials backend connections synchronously, in the loop:
// only while the pool fills. With -work D it spends D of CPU on every
// request, standing in for a router's own work (internal/burn).
//
//	epollproxy -listen 127.0.0.1:PORT -backend 127.0.0.1:PORT [-work 5us]
package main

import (
	"flag"
	"log"
	"net"
	"runtime"
	"sync/atomic"
	"syscall"

	"github.com/waiter-go/waiter/test/bench/proxybench/internal/burn"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (loopback)")
	backend := flag.String("backend", "", "the backend's host:port")
	loops := flag.Int("loops", runtime.NumCPU(), "event loops")
	work := flag.Duration("work", 0, "CPU to spend on every request, standing in for a router's own work (0: none)")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("epollproxy: %v", err)
	}
	ls := make([]*loop, *loops)
	for i := range ls {
		if ls[i], err = newLoop(*backend); err != nil {
			log.Fatalf("epollproxy: %v", err)
		}
		if *work > 0 {
			ls[i].work = burn.New(*work)
		}
		go ls[i].run()
	}
	var next atomic.Uint64
	for {
		nc, err := ln.Accept()
		if err != nil {
			log.Fatalf("epollproxy: %v", err)
		}
		ls[next.Add(1)%uint64(len(ls))].hand(nc)
	}
}

// fdOf is c's file descriptor; it stays valid while c is open.
func fdOf(c net.Conn) (int, error) {
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return -1, err
	}
	return fd, nil
}

// errno is err's errno, or 0.
func errno(err error) syscall.Errno {
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return 0
}
