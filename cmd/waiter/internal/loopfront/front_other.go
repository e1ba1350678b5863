//go:build !linux

package loopfront

import (
	"context"
	"errors"
	"net"
)

// Front is not built here: the loops need epoll.
type Front struct{}

// New reports that event loops need Linux.
func New(Config, Edge) (*Front, error) {
	return nil, errors.New("loopfront: event loops need Linux (epoll); set event-loop: false")
}

func (*Front) Serve(net.Conn)           {}
func (*Front) Listen(net.Listener) bool { return false }
func (*Front) Unlisten()                {}
func (*Front) Shutdown(context.Context) {}
func (*Front) Close()                   {}
func (*Front) Served() int64            { return 0 }
func (*Front) Handoffs() int64          { return 0 }
func (*Front) Accepted() int64          { return 0 }
func (*Front) Contained() int64         { return 0 }
