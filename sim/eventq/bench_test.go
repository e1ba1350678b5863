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
