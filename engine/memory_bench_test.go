package engine

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkMemoryPerService reports the heap the engine keeps per known,
// idle service (one healthy instance, no request in flight), with 1,000
// services. Its baseline, measured in the same run, is the heap of the
// services' descriptions alone, which any router must keep: the ratio
// says what the engine's own state adds.
func BenchmarkMemoryPerService(b *testing.B) {
	const n = 1000
	var perSvc, perDesc float64
	for i := 0; i < b.N; i++ {
		var descs []*Description
		before := heapInUse()
		for j := 0; j < n; j++ {
			descs = append(descs, mustDesc(b, Params{"name": fmt.Sprintf("s%d", j)}))
		}
		withDescs := heapInUse()
		e := New(Config{})
		for j, d := range descs {
			e.Step(Event{Kind: EvRequestArrived, At: epoch, Service: d.ID, Request: RequestID(j), Description: d})
			e.Step(Event{Kind: EvServiceObserved, At: epoch, Service: d.ID, Observation: &Observation{Exists: true,
				Requested: 1, Scheduled: 1, Instances: []ObservedInstance{healthyAt("a", epoch)}}})
			e.Step(Event{Kind: EvRequestFinished, At: epoch.Add(time.Millisecond), Request: RequestID(j)})
		}
		withEngine := heapInUse()
		perDesc += float64(withDescs-before) / n
		perSvc += float64(withEngine-withDescs) / n
		runtime.KeepAlive(e)
		runtime.KeepAlive(descs)
	}
	b.ReportMetric(perSvc/float64(b.N), "B/service")
	b.ReportMetric(perSvc/perDesc, "x-description")
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
