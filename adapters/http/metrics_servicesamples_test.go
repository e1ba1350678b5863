package waiterhttp

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// constServiceCollector is serviceCollector as it was, one
// prometheus.MustNewConstMetric a series: the baseline serviceSamples
// must equal, and BenchmarkServiceScrape's.
type constServiceCollector struct{ router waiter.Router }

func (c constServiceCollector) Describe(ch chan<- *prometheus.Desc) { serviceCollector(c).Describe(ch) }

func (c constServiceCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range serviceLoads(c.router) {
		for _, s := range serviceSeries {
			ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value(l), l.ID, l.Name)
		}
		for _, st := range scalingStates {
			ch <- prometheus.MustNewConstMetric(scalingStateDesc, prometheus.GaugeValue,
				boolValue(l.ScalingState == st), st.String(), l.ID, l.Name)
		}
	}
}

// loadsRouter lists loads and nothing else (serviceLoads' LoadLister).
type loadsRouter struct {
	waiter.Router
	loads []waiter.ServiceLoad
}

func (r loadsRouter) ServiceLoads() []waiter.ServiceLoad { return r.loads }

// manyLoads are n services' loads, each with its own values.
func manyLoads(n int) []waiter.ServiceLoad {
	loads := make([]waiter.ServiceLoad, n)
	for i := range loads {
		loads[i] = waiter.ServiceLoad{ID: fmt.Sprintf("waiter-service-%d-0123456789abcdef", i), Name: fmt.Sprintf("svc-%d", i),
			TotalRequests: uint64(100 * i),
			Counters:      waiter.ServiceCounters{ColdStarts: uint64(i % 3), Launched: uint64(i % 5), Killed: uint64(i % 7), Failed: uint64(i % 2)},
			Load: engine.Load{Healthy: i % 4, Waiting: i % 9, InFlight: i % 11, Requested: i % 6, Scheduled: i % 5,
				FreeSlots: i % 13, Desired: i % 8, ScalingState: scalingStates[i%len(scalingStates)]}}
		if i%10 == 0 {
			loads[i].DeploymentError = "Invalid startup command"
		}
	}
	return loads
}

// exposition is what a pedantic registry holding c serves, as text.
func exposition(t testing.TB, c prometheus.Collector) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := expfmt.NewEncoder(&out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// The samples serve what MustNewConstMetric's metrics served, series for
// series, value for value, label for label.
func TestServiceSamplesServeWhatConstMetricsDid(t *testing.T) {
	r := loadsRouter{loads: manyLoads(40)}
	got, want := exposition(t, serviceCollector{router: r}), exposition(t, constServiceCollector{router: r})
	if !bytes.Equal(got, want) {
		t.Fatalf("the samples' exposition differs from the const metrics':\n%s\nwant:\n%s", got, want)
	}
	if n := bytes.Count(got, []byte("\nwaiter_service_")); n != 40*(len(serviceSeries)+len(scalingStates)) {
		t.Fatalf("%d series, want %d", n, 40*(len(serviceSeries)+len(scalingStates)))
	}
}

// BenchmarkServiceScrape gathers the per-service series of 1,000
// services through a registry, as a scrape of /metrics does, against
// the same with MustNewConstMetric (the baseline), in the same run: the
// bytes a scrape allocates and its time.
func BenchmarkServiceScrape(b *testing.B) {
	r := loadsRouter{loads: manyLoads(1000)}
	gather := func(c prometheus.Collector) (bytes uint64, took time.Duration) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(c)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
		took = time.Since(start)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, took
	}
	var samplesB, constB uint64
	var samplesT, constT time.Duration
	for b.Loop() {
		n, t := gather(serviceCollector{router: r})
		samplesB, samplesT = samplesB+n, samplesT+t
		n, t = gather(constServiceCollector{router: r})
		constB, constT = constB+n, constT+t
	}
	b.ReportMetric(float64(samplesB)/float64(b.N), "B/scrape")
	b.ReportMetric(float64(constB)/float64(b.N), "const-B/scrape")
	b.ReportMetric(float64(samplesB)/float64(constB), "x-const-bytes")
	b.ReportMetric(float64(samplesT)/float64(constT), "x-const-time")
}
