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

// A scaling pass asks for the lines of the service record it reads
// passAhead services ahead. In a router busy with other work a service's
// record has left the caches by the next pass, a second later, and one
// miss after another was most of a pass's time: with the prefetch a pass
// over cold records takes half as long (BenchmarkScalingPassCold). Where
// requests keep the records cached (the simulator's large.yaml) it saves
// no time, and costs about 44 instructions a service.
const (
	passAhead = 16
	// passLines are the record's lines through lastActivity, those the
	// pass reads for a service that is created and observed.
	passLines = int(unsafe.Offsetof(service{}.lastActivity)+unsafe.Sizeof(service{}.lastActivity)+63) / 64
)

// passService returns order[i], the scaling pass's i-th service, after
// asking for the record passAhead services on. (One call in the line
// that read order[i] before: the PGO profile finds the pass's calls by
// their line within it, and a line more would hide its hot calls from
// the inliner until the profile is taken again.)
func passService(order []*service, i int) *service {
	if j := i + passAhead; j < len(order) {
		prefetch.Lines(unsafe.Pointer(order[j]), passLines)
	}
	return order[i]
}
