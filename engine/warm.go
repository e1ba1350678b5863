package engine

import (
	"unsafe"

	"github.com/waiter-go/waiter/internal/prefetch"
)

// Warm asks the processor for the lines of the service record an
// observation of it reads and writes, ahead of its use: a driver that
// applies the observations of many services in a row (a poll) calls it a
// few services ahead, so that their misses overlap the work between. It
// changes nothing.
func (r ServiceRef) Warm() {
	if r.svc != nil {
		prefetch.Lines(unsafe.Pointer(r.svc), observeLines)
	}
}

// observeLines are the lines of a service record through its instances
// (sorted), which observe walks.
const observeLines = int(unsafe.Offsetof(service{}.sorted)+unsafe.Sizeof(service{}.sorted)+63) / 64
