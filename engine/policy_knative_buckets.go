package engine

import "math"

// kpaWindow is Knative's aggregation.TimedFloat64Buckets with 1 s buckets
// fed one sample a second without gaps (the engine samples every second):
// a ring of buckets and a running total updated in Knative's order, so
// that the averages agree to the last bit, not just approximately.
type kpaWindow struct {
	buckets []float64
	next    int     // ring position of the next sample
	count   int     // samples recorded so far (Knative's lastWrite-firstWrite+1)
	total   float64 // windowTotal
}

func newKPAWindow(seconds int) kpaWindow {
	return kpaWindow{buckets: make([]float64, max(seconds, 1))}
}

// record adds the sample of the next second: Knative clears the bucket it
// reuses (subtracting it from the total) and then adds the value.
func (w *kpaWindow) record(v float64) {
	i := w.next
	w.total -= w.buckets[i]
	w.buckets[i] = 0
	w.buckets[i] += v
	w.total += v
	w.next = (i + 1) % len(w.buckets)
	w.count++
}

// average is WindowAverage at the second of the latest sample: the total
// over the valid buckets, floored to 6 digits as Knative does.
func (w *kpaWindow) average() float64 {
	if w.count == 0 {
		return 0
	}
	n := float64(min(w.count, len(w.buckets)))
	p := math.Pow10(6)
	return math.Floor(w.total/n*p) / p
}

// kpaMaxWindow is Knative's max.TimeWindow: the largest value recorded in
// the last size indices (an index is a unix time divided by the 2 s
// granularity), kept as a monotonic deque in a ring, step for step.
type kpaMaxWindow struct {
	idx           []int
	val           []int
	first, length int
}

func newKPAMaxWindow(size int) *kpaMaxWindow {
	size = max(size, 1)
	return &kpaMaxWindow{idx: make([]int, size), val: make([]int, size)}
}

func (m *kpaMaxWindow) at(i int) int { return i % len(m.idx) }

func (m *kpaMaxWindow) record(index, v int) {
	// Values no larger than v can never be the maximum again.
	for ; m.length > 0; m.length-- {
		if v < m.val[m.at(m.first+m.length-1)] {
			break
		}
	}
	// Drop entries that left the window.
	for m.length > 0 && index-m.idx[m.first] >= len(m.idx) {
		m.length--
		m.first++
		if m.first == len(m.idx) {
			m.first = 0
		}
	}
	// Several records in one index keep the largest.
	if m.length > 0 {
		if last := m.at(m.first + m.length - 1); m.idx[last] == index {
			v = max(v, m.val[last])
			m.length--
		}
	}
	j := m.at(m.first + m.length)
	m.idx[j], m.val[j] = index, v
	m.length++
}

func (m *kpaMaxWindow) current() int { return m.val[m.first] }
