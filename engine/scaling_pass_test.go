package engine

import (
	"testing"
	"time"
	"unsafe"
)

// TestInstanceExpiresOnItsPass: the scaling pass walks a service's
// instances for instance-expiry-mins only when one may have expired
// (service.expiryDue), yet an instance still counts as expired, and is
// replaced, on the first pass at or after its start plus the expiry, also
// when it came in an observation after a younger one set the due time.
func TestInstanceExpiresOnItsPass(t *testing.T) {
	e := New(Config{})
	d := mustDesc(t, Params{"name": "exp", "instance-expiry-mins": 1.0, "min-instances": 2.0, "max-instances": 4.0})
	e.Step(Event{Kind: EvStartService, At: epoch, Service: d.ID, Description: d})
	observe := func(at time.Time, insts ...ObservedInstance) {
		e.Step(Event{Kind: EvServiceObserved, At: at, Service: d.ID, Observation: &Observation{Exists: true,
			Requested: 2, Scheduled: 2, Instances: insts}})
	}
	young := healthyAt("young", epoch)                  // expires at epoch+60s
	old := healthyAt("old", epoch.Add(-30*time.Second)) // expires at epoch+30s
	observe(epoch, young)
	var scaledAt time.Time
	for s := 1; s <= 40 && scaledAt.IsZero(); s++ {
		at := epoch.Add(time.Duration(s) * time.Second)
		if s == 10 {
			observe(at, young, old)
		}
		for _, a := range e.Step(Event{Kind: EvTick, At: at}) {
			if a.Kind == ActScaleService {
				scaledAt = at
			}
		}
		svc := e.services[d.ID]
		if c := svc.counts(at); c.expiredHealthy != svc.expHealthy {
			t.Fatalf("at +%v: %d expired by a walk, %d kept", at.Sub(epoch), c.expiredHealthy, svc.expHealthy)
		}
		if want := s >= 30; (svc.expHealthy == 1) != want {
			t.Fatalf("at +%v: %d expired instances, want old expired: %v", at.Sub(epoch), svc.expHealthy, want)
		}
	}
	if want := epoch.Add(30 * time.Second); !scaledAt.Equal(want) {
		t.Fatalf("expired instance replaced at +%v, want +30s", scaledAt.Sub(epoch))
	}
}

// TestScalingPassFieldsPacked keeps the fields every scaling pass reads in
// the first four cache lines of a service (see the service type): a field
// added among them, or one of them moved down, makes a pass over many
// services touch more memory.
func TestScalingPassFieldsPacked(t *testing.T) {
	var s service
	hot := map[string]uintptr{
		"desc": unsafe.Offsetof(s.desc), "scaler": unsafe.Offsetof(s.scaler), "created": unsafe.Offsetof(s.created),
		"observed": unsafe.Offsetof(s.observed), "waiting": unsafe.Offsetof(s.waiting), "inflight": unsafe.Offsetof(s.inflight),
		"requested": unsafe.Offsetof(s.requested), "healthy": unsafe.Offsetof(s.healthy),
		"expUnhealthy": unsafe.Offsetof(s.expUnhealthy), "arrived": unsafe.Offsetof(s.arrived),
		"instanceExpiry": unsafe.Offsetof(s.instanceExpiry), "staleAt": unsafe.Offsetof(s.staleAt),
		"expiryDue": unsafe.Offsetof(s.expiryDue), "sampleNext": unsafe.Offsetof(s.sampleNext),
		"lastDecision": unsafe.Offsetof(s.lastDecision), "scalingState": unsafe.Offsetof(s.scalingState),
	}
	for name, off := range hot {
		if off >= 4*64 {
			t.Errorf("service.%s at byte %d, past the first four cache lines", name, off)
		}
	}
}

// TestRequestFieldsPacked keeps the fields a request's arrival and end
// read of its service (one with a free instance: lookupRef, pick,
// dispatch, finish) on four cache lines (see the service type), where
// they were spread over eight: with many services each is a miss.
func TestRequestFieldsPacked(t *testing.T) {
	var s service
	hot := map[string]uintptr{
		"owner": unsafe.Offsetof(s.owner), "id": unsafe.Offsetof(s.id), "removed": unsafe.Offsetof(s.removed),
		"created": unsafe.Offsetof(s.created), "suspended": unsafe.Offsetof(s.suspended),
		"deploymentError": unsafe.Offsetof(s.deploymentError), "sampleNext": unsafe.Offsetof(s.sampleNext),
		"arrived": unsafe.Offsetof(s.arrived), "completed": unsafe.Offsetof(s.completed),
		"waiting": unsafe.Offsetof(s.waiting), "inflight": unsafe.Offsetof(s.inflight),
		"sortDirty": unsafe.Offsetof(s.sortDirty), "freeSlots": unsafe.Offsetof(s.freeSlots),
		"lb": unsafe.Offsetof(s.lb), "scalingState": unsafe.Offsetof(s.scalingState),
		"avail": unsafe.Offsetof(s.avail), "fresh": unsafe.Offsetof(s.fresh), "sorted": unsafe.Offsetof(s.sorted),
		"clustered": unsafe.Offsetof(s.clustered), "concurrency": unsafe.Offsetof(s.concurrency),
		"lastActivity": unsafe.Offsetof(s.lastActivity),
	}
	sizes := map[string]uintptr{"id": 16, "deploymentError": 16, "sampleNext": 24, "avail": 24, "sorted": 24, "lastActivity": 24}
	lines := map[uintptr]bool{}
	for name, off := range hot {
		size := max(sizes[name], 1)
		for l := off / 64; l <= (off+size-1)/64; l++ {
			lines[l] = true
		}
	}
	if len(lines) > 4 {
		t.Errorf("a request reads %d cache lines of its service, want 4", len(lines))
	}
}

// TestInstanceRequestFieldsPacked keeps the fields of an instance that a
// request's dispatch and end read or write in the record's first cache
// line, and the record at 256 bytes, a size class whose objects start on
// a line (see the instance type): spread over the record, as they were,
// they cost three lines a dispatch.
func TestInstanceRequestFieldsPacked(t *testing.T) {
	var in instance
	if n := unsafe.Sizeof(in); n != 256 {
		t.Errorf("an instance is %d bytes, want 256 (a line-aligned size class)", n)
	}
	hot := map[string][2]uintptr{
		"inflight":            {unsafe.Offsetof(in.inflight), unsafe.Sizeof(in.inflight)},
		"pos":                 {unsafe.Offsetof(in.pos), unsafe.Sizeof(in.pos)},
		"lastDispatch":        {unsafe.Offsetof(in.lastDispatch), unsafe.Sizeof(in.lastDispatch)},
		"consecutiveFailures": {unsafe.Offsetof(in.consecutiveFailures), unsafe.Sizeof(in.consecutiveFailures)},
		"healthy":             {unsafe.Offsetof(in.healthy), 1}, "ejected": {unsafe.Offsetof(in.ejected), 1},
		"locked": {unsafe.Offsetof(in.locked), 1}, "killed": {unsafe.Offsetof(in.killed), 1},
		"gone": {unsafe.Offsetof(in.gone), 1}, "ref": {unsafe.Offsetof(in.ref), unsafe.Sizeof(in.ref)},
	}
	for name, f := range hot {
		if end := f[0] + f[1]; end > 64 {
			t.Errorf("instance.%s ends at byte %d, past the first cache line", name, end)
		}
	}
}

// TestObserveFieldsPacked keeps the fields of a service that a poll's
// observation reads or writes (observe, with no instance added or
// dropped) on six cache lines (see the service type), where they were
// spread over eight: a driver polls every service, each second or so
// while requests wait.
func TestObserveFieldsPacked(t *testing.T) {
	var s service
	hot := map[string][2]uintptr{
		"created": {unsafe.Offsetof(s.created), 1}, "observed": {unsafe.Offsetof(s.observed), 1},
		"clustered": {unsafe.Offsetof(s.clustered), 1}, "sortDirty": {unsafe.Offsetof(s.sortDirty), 1},
		"scalePending":   {unsafe.Offsetof(s.scalePending), 1},
		"requested":      {unsafe.Offsetof(s.requested), unsafe.Sizeof(s.requested)},
		"scheduled":      {unsafe.Offsetof(s.scheduled), unsafe.Sizeof(s.scheduled)},
		"instanceExpiry": {unsafe.Offsetof(s.instanceExpiry), unsafe.Sizeof(s.instanceExpiry)},
		"expiryDue":      {unsafe.Offsetof(s.expiryDue), unsafe.Sizeof(s.expiryDue)},
		"sorted":         {unsafe.Offsetof(s.sorted), unsafe.Sizeof(s.sorted)},
		"failed":         {unsafe.Offsetof(s.failed), unsafe.Sizeof(s.failed)},
		"schedulerError": {unsafe.Offsetof(s.schedulerError), unsafe.Sizeof(s.schedulerError)},
		"lastObservedR":  {unsafe.Offsetof(s.lastObservedR), unsafe.Sizeof(s.lastObservedR)},
	}
	lines := map[uintptr]bool{}
	for _, f := range hot {
		for l := f[0] / 64; l <= (f[0]+f[1]-1)/64; l++ {
			lines[l] = true
		}
	}
	if len(lines) > 6 {
		t.Errorf("an observation touches %d cache lines of its service, want 6", len(lines))
	}
}
