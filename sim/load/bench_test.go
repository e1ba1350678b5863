package load

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

var sinkAt time.Duration

// BenchmarkNext measures one arrival from each kind of process, at rates
// where boundaries (steps, phases, gaps) are crossed often enough to count.
func BenchmarkNext(b *testing.B) {
	for _, spec := range allKinds() {
		name := spec.Kind()
		if spec.Constant != nil && spec.Constant.Arrivals == Deterministic {
			name += "-deterministic"
		}
		b.Run(name, func(b *testing.B) {
			p := mustBuild(b, spec, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				at, ok := p.Next()
				if !ok {
					b.Fatal("process ended")
				}
				sinkAt = at
			}
		})
	}
}

func BenchmarkSplitterPick(b *testing.B) {
	s, err := NewSplitter(rollout(), rng.New(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sinkAt += time.Duration(s.Pick(time.Duration(i) * time.Microsecond))
	}
}

// BenchmarkTraceReplay parses rows shaped like the Azure 2021 trace (64-hex
// app and func hashes; 200 apps, 600 functions), sorted by end time. One op is
// one row; rows/s is the replay rate.
func BenchmarkTraceReplay(b *testing.B) {
	const rows = 100_000
	src := rng.New(1)
	var buf bytes.Buffer
	buf.WriteString(TraceHeader + "\n")
	for i := 0; i < rows; i++ {
		app := src.Intn(200)
		fmt.Fprintf(&buf, "%064x,%064x,%s,%s\n", app*7919, app*3+src.Intn(3),
			strconv.FormatFloat(float64(i)*0.6+src.Float64(), 'g', -1, 64),
			strconv.FormatFloat(src.ExpFloat64()*2, 'f', 3, 64))
	}
	data := buf.Bytes()
	b.ReportAllocs()
	b.ResetTimer()
	var tr *Trace
	for i := 0; i < b.N; i++ {
		if tr == nil {
			var err error
			if tr, err = NewTrace(bytes.NewReader(data), TraceSpec{ZeroOffset: true}); err != nil {
				b.Fatal(err)
			}
		}
		inv, ok := tr.Next()
		if !ok {
			if err := tr.Err(); err != nil {
				b.Fatal(err)
			}
			tr = nil
			i--
			continue
		}
		sinkAt = inv.At
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
