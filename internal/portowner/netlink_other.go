//go:build !linux

package portowner

import (
	"fmt"
	"runtime"
)

// listenersNetlink has no sock_diag to ask off Linux; LoopbackListeners
// then tries /proc's tables, which fail too, with the error the caller
// reports (adapters/shell does not start off Linux anyway).
func listenersNetlink(family uint8) ([]Listener, error) {
	return nil, fmt.Errorf("portowner: no sock_diag on %s", runtime.GOOS)
}
