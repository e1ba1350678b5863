package eventq

import (
	"strconv"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

// BenchmarkHold is the classic "hold" model of a discrete-event simulator: the
// queue stays at a fixed size and each op pops the earliest event and pushes a
// successor a random delay later. One op = one Pop + one Push.
func BenchmarkHold(b *testing.B) {
	for _, size := range []int{16, 1024, 65536} {
		b.Run(sizeName(size), func(b *testing.B) {
			src := rng.New(1)
			q := New[uint64](size)
			for i := 0; i < size; i++ {
				q.Push(time.Duration(src.Uint64n(1e9)), uint64(i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e, _ := q.Pop()
				q.Push(e.At+time.Duration(src.Uint64n(1e9)), e.Value)
			}
		})
	}
}

// BenchmarkPushThenPop fills the queue with b.N events and drains it.
func BenchmarkPushThenPop(b *testing.B) {
	src := rng.New(2)
	q := New[uint64](b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.Push(time.Duration(src.Uint64n(1e12)), uint64(i))
	}
	for q.Len() > 0 {
		q.Pop()
	}
}

func sizeName(n int) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.Itoa(n>>10) + "Ki"
	}
	return strconv.Itoa(n)
}

// BenchmarkWheelVsHeap runs the hold model with a simulation's spread of
// delays (up to 0.5 s after the event popped: the wheel) and reports its
// cost per op as a ratio to the same model with every delay shifted past
// the wheel's horizon (the heap alone), measured in the same run on two
// warmed-up queues of 1,024 events, in alternating rounds.
func BenchmarkWheelVsHeap(b *testing.B) {
	const size, round = 1024, 10000
	newModel := func(shift time.Duration) *holdModel {
		m := &holdModel{q: New[uint64](size), src: rng.New(3), shift: shift}
		for i := 0; i < size; i++ {
			m.q.Push(shift+time.Duration(m.src.Uint64n(5e8)), uint64(i))
		}
		m.hold(10 * size) // warm up: every slot's slice has grown
		m.spent = 0
		return m
	}
	wheel, heap := newModel(0), newModel(2*time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wheel.hold(round)
		heap.hold(round)
	}
	n := float64(b.N * round)
	b.ReportMetric(float64(wheel.spent.Nanoseconds())/n, "wheel-ns/op")
	b.ReportMetric(float64(heap.spent.Nanoseconds())/n, "heap-ns/op")
	b.ReportMetric(float64(wheel.spent)/float64(heap.spent), "x-heap")
}

// holdModel is a queue in the hold model, with delays shifted by shift.
type holdModel struct {
	q     *Queue[uint64]
	src   *rng.Source
	shift time.Duration
	spent time.Duration
}

// hold pops the earliest event and pushes it again a random delay (up
// to 0.5 s, plus shift) later, n times, adding the time taken to spent.
func (m *holdModel) hold(n int) {
	start := time.Now()
	for i := 0; i < n; i++ {
		e, _ := m.q.Pop()
		m.q.Push(e.At+m.shift+time.Duration(m.src.Uint64n(5e8)), e.Value)
	}
	m.spent += time.Since(start)
}
