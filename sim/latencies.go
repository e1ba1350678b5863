package sim

import "time"

// latencies feeds the services' latency histograms. With many services
// a histogram (19 KB) is rarely in cache when one of its requests ends:
// recording each latency at once cost a cache miss or two per request
// (9 % of large.yaml's time at its peak). So with more than
// latBatchMin services the latencies are buffered and recorded a batch at
// a time, grouped by service (a counting sort), so that each histogram's
// header is loaded once per batch. A histogram's contents do not depend on
// the order of its records (counts, sum, min, max), and nothing reads the
// per-service histograms before the report, which flushes the rest first.
//
// A batch holds about latPerService latencies per service: a service's
// latencies fall in a few dozen of its histogram's cache lines (an
// exponential service time spans a few powers of two, 8 buckets a line),
// so with 16 per service (the batch of 1<<14 over a thousand services)
// nearly every record was still a miss, while with ~128 most lines are
// hit several times a flush: the flush's share of a busy hour of
// large.yaml went from 7 % to 4-5 % of its samples.
type latencies struct {
	// batch is on when there are enough services to gain from it.
	batch bool
	buf   []latEntry
	// sorted and start are flush's scratch: buf's latencies grouped by
	// service, and where each service's group starts.
	sorted []time.Duration
	start  []int32
}

type latEntry struct {
	svc int32
	lat time.Duration
}

const (
	latBatchMin   = 64
	latPerService = 128
	// The batch's bounds: 256 KB and 4 MB of entries (and as much again
	// for flush's scratch), whatever the number of services.
	latBatchLow  = 1 << 14
	latBatchHigh = 1 << 18
)

// batchSize is the batch for services services (or trace apps).
func batchSize(services int) int {
	return min(max(services*latPerService, latBatchLow), latBatchHigh)
}

// init decides whether to batch: many services, or a trace's apps,
// which come as the trace names them.
func (l *latencies) init(services int, trace bool) {
	l.batch = services > latBatchMin || trace
	if l.batch {
		n := batchSize(services)
		l.buf = make([]latEntry, 0, n)
		l.sorted = make([]time.Duration, n)
	}
}

// record adds a latency of service svc.
func (l *latencies) record(svcs []*svcState, svc int32, lat time.Duration) {
	if !l.batch {
		svcs[svc].hist.Record(lat)
		return
	}
	l.buf = append(l.buf, latEntry{svc: svc, lat: lat})
	if len(l.buf) == cap(l.buf) {
		l.flush(svcs)
	}
}

// flush records the buffered latencies, service by service.
func (l *latencies) flush(svcs []*svcState) {
	if len(l.buf) == 0 {
		return
	}
	if len(svcs)+1 > len(l.start) {
		l.start = make([]int32, len(svcs)+1)
	}
	start := l.start[:len(svcs)+1]
	clear(start)
	for _, e := range l.buf {
		start[e.svc+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := l.sorted[:len(l.buf)]
	for _, e := range l.buf {
		sorted[start[e.svc]] = e.lat
		start[e.svc]++
	}
	// start[s] is now where service s's group ends and s+1's begins.
	begin := int32(0)
	for s, end := range start[:len(svcs)] {
		svcs[s].hist.RecordAll(sorted[begin:end])
		begin = end
	}
	l.buf = l.buf[:0]
}
