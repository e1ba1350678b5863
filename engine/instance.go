package engine

import (
	"math"
	"time"
)

// instance is the engine's record of one instance of a service: what the
// scheduler last said about it plus what this router learnt by using it.
type instance struct {
	// The fields a request's dispatch and end read or write come first,
	// in the record's first cache line (the record is padded to 256
	// bytes, a size class whose objects start on a line): with a thousand
	// services an instance is rarely in cache when a request comes, and
	// scattered over the record these fields cost three lines a dispatch
	// and two an end, where now an end costs one, and a dispatch one
	// more for the address its action carries (the second line). A poll's
	// observation reads and writes the first three lines.
	inflight int
	// pos is the instance's index in its service's routing order.
	pos int
	// lastDispatch is when the newest in-flight request was sent to it;
	// an expired instance whose requests are all older than the lingering
	// threshold may be killed.
	lastDispatch time.Time
	// consecutiveFailures counts instance errors since the last success.
	consecutiveFailures int
	healthy             bool
	// ejected instances get no requests until ejectedUntil.
	ejected bool
	// locked while a kill is in flight; killed once the kill succeeded.
	locked bool
	killed bool
	// gone is set when the scheduler no longer lists the instance.
	gone bool
	// expiredByAge is set once instance-expiry-mins passed.
	expiredByAge bool
	flags        InstanceFlags
	ref          uint64

	id        string
	host      string
	port      int
	startedAt time.Time

	// seen is the number of the last observation that listed it.
	seen uint64
	// hcStatus is the last health-check status the scheduler reported.
	hcStatus     int
	ejectedUntil time.Time
	// expiredByFailures is set once consecutiveFailures reached the
	// ejection-expiry threshold (EjectionExpiryTracker).
	expiredByFailures bool
	// expiredByOperator is set by EvExpireInstance.
	expiredByOperator bool

	// Cluster mode only (service.clustered): slots is how many of the
	// instance's slots this router owns by the HRW distribution, received
	// how many peers lent it (work stealing), lent how many of its own it
	// lent to peers. Its capacity here is slots + received - lent.
	slots, received, lent int
	// vetoedUntil: a peer vetoed killing the instance; do not choose it
	// again before then.
	vetoedUntil time.Time

	// pad makes the record 256 bytes: unpadded it is 224, a size class in
	// which every other record starts mid-line, and its first line with it.
	_ [32]byte
}

func (in *instance) expired() bool {
	return in.expiredByAge || in.expiredByFailures || in.expiredByOperator || in.flags&FlagExpired != 0
}

// serving reports whether the instance may receive requests at all:
// Waiter's healthy? (status tags exactly {healthy} or {healthy expired}).
func (in *instance) serving() bool {
	return in.healthy && !in.ejected && !in.locked && !in.killed && !in.gone
}

// starting: not yet healthy and still inside the grace period.
func (in *instance) starting(now time.Time, grace time.Duration) bool {
	return !in.healthy && now.Sub(in.startedAt) < grace
}

// before orders instances for routing like Waiter's
// sort-instances-for-processing: non-expired first, oldest first; then
// expired, youngest first; ties by id.
func (in *instance) before(o *instance) bool {
	ie, oe := in.expired(), o.expired()
	if ie != oe {
		return !ie
	}
	if !in.startedAt.Equal(o.startedAt) {
		if ie {
			return in.startedAt.After(o.startedAt)
		}
		return in.startedAt.Before(o.startedAt)
	}
	return in.id < o.id
}

// ejectPeriod is Waiter's backoff: min(max, base x 2^min(maxExp, n-1)),
// with maxExp = int(max(1, log(max)/log(base) + 1)) (4 with defaults).
func ejectPeriod(cfg *Config, failures int) time.Duration {
	base, limit := cfg.EjectBackoffBase, cfg.MaxEjectTime
	maxExp := maxEjectExponent(base, limit)
	n := failures - 1
	if n < 0 {
		n = 0
	}
	if n > maxExp {
		n = maxExp
	}
	d := base << uint(n)
	if d > limit {
		d = limit
	}
	return d
}

// maxEjectExponent is Waiter's int(max(1, exp(ln max / ln base) + 1)) on
// millisecond values: 4 for the defaults 10 s and 300 s.
func maxEjectExponent(base, limit time.Duration) int {
	b, l := float64(base.Milliseconds()), float64(limit.Milliseconds())
	if b <= 1 || l <= 1 {
		return 1
	}
	return int(math.Max(1, math.Exp(math.Log(l)/math.Log(b))+1))
}
