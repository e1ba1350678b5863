package scenario

// Metric names a figure of a run that an assertion can bound.
type Metric string

// MetricDoc describes one metric for the reference.
type MetricDoc struct {
	Name Metric
	Unit string
	Doc  string
}

// MetricDocs lists the metrics assertions may bound, in the order the
// reference shows them.
var MetricDocs = []MetricDoc{
	{"requests", "count", "requests that arrived"},
	{"completed", "count", "requests that an instance answered (errors included)"},
	{"rejected", "count", "requests refused without reaching an instance (queue full, queue timeout, no capacity)"},
	{"errors", "count", "completed requests that did not succeed (the instance crashed, or answered 503 while busy)"},
	{"cold-starts", "count", "cold-start requests: requests that had to wait while their service had no healthy instance (for its first one)"},
	{"cold-start-services", "count", "cold-started services: the times a service went from no healthy instance to one"},
	{"peak-instances", "count", "the most instances running at once"},
	{"instance-seconds", "seconds", "the sum over instances of the time each ran: the run's cost"},
	{"p50-latency-ms", "ms", "median latency of completed requests, from arrival to answer"},
	{"p90-latency-ms", "ms", "90th percentile latency"},
	{"p99-latency-ms", "ms", "99th percentile latency"},
	{"p999-latency-ms", "ms", "99.9th percentile latency"},
	{"max-latency-ms", "ms", "the longest latency"},
	{"rejected-ratio", "fraction", "rejected / requests, rounded to 3 decimals"},
}

// Metrics lists the names assertions may bound.
var Metrics = func() []string {
	out := make([]string, len(MetricDocs))
	for i, m := range MetricDocs {
		out[i] = string(m.Name)
	}
	return out
}()

// EnumValues lists the metric names, for decoding and the reference.
func (Metric) EnumValues() []string { return Metrics }
