package peering

import (
	"context"

	"github.com/waiter-go/waiter"
)

// tee gives each of several consumers its own Changed channel over one
// Membership, whose single channel would wake only one of them: the
// driver and the peer network both follow the router list.
type tee struct {
	waiter.Membership
	ch chan struct{}
}

func (t *tee) Changed() <-chan struct{} { return t.ch }

// Tee returns n views of m, each signalled on every change of m, and the
// loop that forwards the changes (run it until the views are not needed).
func Tee(m waiter.Membership, n int) ([]waiter.Membership, func(ctx context.Context)) {
	views := make([]waiter.Membership, n)
	chans := make([]chan struct{}, n)
	for i := range views {
		chans[i] = make(chan struct{}, 1)
		views[i] = &tee{Membership: m, ch: chans[i]}
	}
	return views, func(ctx context.Context) {
		for {
			select {
			case <-ctx.Done():
				return
			case <-m.Changed():
				for _, c := range chans {
					select {
					case c <- struct{}{}:
					default: // already signalled: folded into that one
					}
				}
			}
		}
	}
}
