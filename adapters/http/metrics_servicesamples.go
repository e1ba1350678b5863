package waiterhttp

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/waiter-go/waiter"
)

// serviceSamples are one service's per-service series for one scrape, in
// one allocation, sharing one set of label pairs. prometheus'
// MustNewConstMetric made each series its own label pairs (two
// LabelPairs and their strings), its own metric and, when written, its
// own value: gathering the 17,000 series of 1,000 services allocated
// 11.3 MB, now 6.9 MB, in half the time (BenchmarkServiceScrape). The
// rest is the registry's own: a dto.Metric a series, and its checks.
type serviceSamples struct {
	s [len(serviceSeries) + len(scalingStates)]serviceSample
	// id and name are the pairs every series has (with their values);
	// labels the series' pairs, state's with each scaling state's.
	id, name           dto.LabelPair
	idValue, nameValue string
	labels             [2]*dto.LabelPair
	state              [len(scalingStates)][3]*dto.LabelPair
}

// serviceSample is one series' sample: a prometheus.Metric that writes
// its value from itself and the shared label pairs, allocating nothing.
type serviceSample struct {
	desc    *prometheus.Desc
	labels  []*dto.LabelPair
	value   float64
	counter dto.Counter
	gauge   dto.Gauge
	isCount bool
}

// stateLabels are the scaling states' label pairs, made once: state's
// value is one of three strings.
var stateLabels = func() (pairs [len(scalingStates)]*dto.LabelPair) {
	name := "state"
	for i, st := range scalingStates {
		v := st.String()
		pairs[i] = &dto.LabelPair{Name: &name, Value: &v}
	}
	return pairs
}()

// serviceIDLabel and serviceNameLabel are serviceLabels' names, which
// every service's label pairs point to.
var serviceIDLabel, serviceNameLabel = serviceLabels[0], serviceLabels[1]

// newServiceSamples samples l. Label pairs are sorted by name, as
// prometheus.MakeLabelPairs sorts them: service_id, service_name, state.
func newServiceSamples(l waiter.ServiceLoad) *serviceSamples {
	ss := &serviceSamples{idValue: l.ID, nameValue: l.Name}
	ss.id = dto.LabelPair{Name: &serviceIDLabel, Value: &ss.idValue}
	ss.name = dto.LabelPair{Name: &serviceNameLabel, Value: &ss.nameValue}
	ss.labels = [2]*dto.LabelPair{&ss.id, &ss.name}
	for i, s := range serviceSeries {
		ss.s[i] = serviceSample{desc: s.desc, labels: ss.labels[:], value: s.value(l), isCount: s.kind == prometheus.CounterValue}
	}
	for i, st := range scalingStates {
		ss.state[i] = [3]*dto.LabelPair{&ss.id, &ss.name, stateLabels[i]}
		ss.s[len(serviceSeries)+i] = serviceSample{desc: scalingStateDesc, labels: ss.state[i][:],
			value: boolValue(l.ScalingState == st)}
	}
	return ss
}

func (s *serviceSample) Desc() *prometheus.Desc { return s.desc }

func (s *serviceSample) Write(m *dto.Metric) error {
	m.Label = s.labels
	if s.isCount {
		s.counter.Value = &s.value
		m.Counter = &s.counter
	} else {
		s.gauge.Value = &s.value
		m.Gauge = &s.gauge
	}
	return nil
}
