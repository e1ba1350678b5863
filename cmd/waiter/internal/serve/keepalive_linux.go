//go:build linux

package serve

import (
	"context"
	"net"
	"syscall"
)

// listenTCP listens on addr with TCP keep-alive probes set once, on the
// listening socket, instead of on every accepted connection: Linux copies
// SO_KEEPALIVE and the TCP_KEEP* settings to the connections accept
// returns (and starts their keep-alive timer), so the router's clients
// get the probes net.Listen's would give them (idle 15 s, then every
// 15 s, 9 unanswered ones: net.KeepAliveConfig's defaults) for one
// setsockopt per listener instead of four per connection (a new
// connection per request spent about 2 % of its CPU on them).
func listenTCP(addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			for _, o := range []struct{ level, opt, v int }{
				{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
				{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, keepAliveIdle},
				{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, keepAliveInterval},
				{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, keepAliveCount},
			} {
				if serr == nil {
					serr = syscall.SetsockoptInt(int(fd), o.level, o.opt, o.v)
				}
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), "tcp", addr)
}

// net.KeepAliveConfig's defaults (seconds; probes).
const (
	keepAliveIdle     = 15
	keepAliveInterval = 15
	keepAliveCount    = 9
)
