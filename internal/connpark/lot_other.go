//go:build !linux

package connpark

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// Lot is not available on this system (see New).
type Lot struct{}

// New reports ErrUnsupported: parking needs epoll.
func New(wake, expire func(net.Conn)) (*Lot, error) { return nil, errors.ErrUnsupported }

// Park reports ErrUnsupported.
func (l *Lot) Park(c net.Conn, raw syscall.Conn, until time.Time) error { return errors.ErrUnsupported }

// Len is 0.
func (l *Lot) Len() int { return 0 }

// Close does nothing.
func (l *Lot) Close() {}
