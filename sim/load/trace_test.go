package load

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

const azureSample = "../testdata/azure2021-first21min.csv"

// readAll drains a trace, failing the test on a read error.
func readAll(t testing.TB, tr *Trace) []Invocation {
	t.Helper()
	var out []Invocation
	for {
		inv, ok := tr.Next()
		if !ok {
			break
		}
		out = append(out, inv)
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expected computes the replay independently: encoding/csv, every row's
// arrival, a stable sort (ties keep file order), then the options.
func expected(t *testing.T, path string, spec TraceSpec) []Invocation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	apps, funcs := map[string]int32{}, map[string]int32{}
	var out []Invocation
	for _, r := range recs[1:] {
		app, ok := apps[r[0]]
		if !ok {
			if spec.MaxApps > 0 && len(apps) >= spec.MaxApps {
				continue
			}
			app = int32(len(apps))
			apps[r[0]] = app
		}
		fn, ok := funcs[r[0]+","+r[1]]
		if !ok {
			fn = int32(len(funcs))
			funcs[r[0]+","+r[1]] = fn
		}
		end, _ := strconv.ParseFloat(r[2], 64)
		dur, _ := strconv.ParseFloat(r[3], 64)
		e, d := time.Duration(math.Round(end*1e9)), time.Duration(math.Round(dur*1e9))
		out = append(out, Invocation{At: e - d, Duration: d, App: app, Func: fn})
	}
	slices.SortStableFunc(out, func(a, b Invocation) int { return int(a.At - b.At) })
	offset := time.Duration(0)
	if spec.ZeroOffset {
		offset = out[0].At
	}
	scale := spec.TimeScale
	if scale == 0 {
		scale = 1
	}
	for i := range out {
		at := max(out[i].At-offset, 0)
		out[i].At = time.Duration(math.Round(float64(at) * scale))
	}
	return out
}

func TestAzureSampleReplay(t *testing.T) {
	for _, spec := range []TraceSpec{
		{Path: azureSample},
		{Path: azureSample, ZeroOffset: true},
		{Path: azureSample, ZeroOffset: true, TimeScale: 0.25},
		{Path: azureSample, MaxApps: 3},
		{Path: azureSample, ReorderWindow: time.Hour},
	} {
		tr, err := OpenTrace(spec)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, tr)
		tr.Close()
		want := expected(t, azureSample, spec)
		if !slices.Equal(got, want) {
			t.Fatalf("%+v: replay differs from an independent sort (%d vs %d rows)", spec, len(got), len(want))
		}
		st := tr.Stats()
		if spec.MaxApps == 0 && (st.Rows != 199 || st.Emitted != 199 || tr.NumApps() != 13 || tr.NumFuncs() != 31) {
			t.Errorf("%+v: stats %+v, %d apps, %d funcs; want 199 rows, 13 apps, 31 funcs", spec, st, tr.NumApps(), tr.NumFuncs())
		}
		if spec.MaxApps == 3 && (tr.NumApps() != 3 || st.Skipped == 0 || st.Rows != st.Skipped+st.Emitted) {
			t.Errorf("max_apps 3: %d apps, stats %+v", tr.NumApps(), st)
		}
		if st.Late != 0 {
			t.Errorf("%+v: %d late rows", spec, st.Late)
		}
		if spec.ZeroOffset && got[0].At != 0 {
			t.Errorf("zero_offset: first arrival at %v", got[0].At)
		}
	}
}

func TestAzureSampleNamesAndDeterminism(t *testing.T) {
	run := func() ([]Invocation, *Trace) {
		tr, err := OpenTrace(TraceSpec{Path: azureSample, ZeroOffset: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		return readAll(t, tr), tr
	}
	a, tr := run()
	b, _ := run()
	if !slices.Equal(a, b) {
		t.Fatal("two replays differ")
	}
	// The first row of the file names app 0 and func 0.
	if got := tr.AppName(0); got != "7b2c43a2bc30f6bb438074df88b603d2cb982d3e7961de05270735055950a568" {
		t.Errorf("app 0 = %q", got)
	}
	if app, fn := tr.FuncName(0); app != 0 || fn != "e3cdb48830f66eb8689cc0223514569a69812b77e6611e3d59814fac0747bd2f" {
		t.Errorf("func 0 = %d %q", app, fn)
	}
	// The last arrival: 1260.0558 − 60.041 minus the first arrival 0.0014909.
	last := a[len(a)-1]
	if want := 1200.0148 - 0.0014909; math.Abs(last.At.Seconds()-want) > 1e-3 {
		t.Errorf("last arrival %v, want ≈ %vs", last.At, want)
	}
}

func newTraceString(t *testing.T, csv string, spec TraceSpec) (*Trace, error) {
	t.Helper()
	return NewTrace(strings.NewReader(csv), spec)
}

// The adaptive window learns the longest duration as it reads: a row whose
// duration exceeds everything seen before it can be overtaken, and is then
// reported late (at the latest time already emitted) rather than out of order.
func TestTraceAdaptiveWindowReportsLateRows(t *testing.T) {
	// Sorted by end time: arrivals are 9, 1, 5, 2. The first row (duration
	// 1s) is released at once; the next three all started before it.
	in := TraceHeader + "\n" +
		"a,f,10,1\n" +
		"a,g,11,10\n" +
		"b,f,12,7\n" +
		"b,f,13,11\n"
	tr, err := newTraceString(t, in, TraceSpec{})
	if err != nil {
		t.Fatal(err)
	}
	var ats []time.Duration
	for _, inv := range readAll(t, tr) {
		ats = append(ats, inv.At)
	}
	if want := []time.Duration{9 * time.Second, 9 * time.Second, 9 * time.Second, 9 * time.Second}; !slices.Equal(ats, want) {
		t.Fatalf("arrivals %v, want %v", ats, want)
	}
	if st := tr.Stats(); st.Late != 3 || st.MaxLateness != 8*time.Second {
		t.Fatalf("stats %+v, want 3 late rows, at most 8s late", st)
	}
	if tr.NumApps() != 2 || tr.NumFuncs() != 3 {
		t.Fatalf("%d apps, %d funcs", tr.NumApps(), tr.NumFuncs())
	}
}

func TestTraceExactOrderWithAWideEnoughWindow(t *testing.T) {
	in := TraceHeader + "\n" +
		"a,f,10,1\n" + // 9
		"a,g,11,10\n" + // 1
		"b,f,12,7\n" + // 5
		"b,f,13,11\n" // 2
	tr, err := newTraceString(t, in, TraceSpec{ReorderWindow: 11 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var ats []time.Duration
	for _, inv := range readAll(t, tr) {
		ats = append(ats, inv.At)
	}
	if want := []time.Duration{1 * time.Second, 2 * time.Second, 5 * time.Second, 9 * time.Second}; !slices.Equal(ats, want) {
		t.Fatalf("arrivals %v, want %v", ats, want)
	}
	if tr.Stats().Late != 0 {
		t.Fatalf("late rows with a sufficient window: %+v", tr.Stats())
	}
}

func TestTraceCountsAndClampsLateRows(t *testing.T) {
	// With a 1s window, the row arriving at 1s shows up after 9s was
	// released: it is reported at 9s and counted late by 8s.
	in := TraceHeader + "\na,f,10,1\na,f,20,1\na,g,21,20\n"
	tr, err := newTraceString(t, in, TraceSpec{ReorderWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, tr)
	var ats []time.Duration
	for _, inv := range got {
		ats = append(ats, inv.At)
	}
	if want := []time.Duration{9 * time.Second, 19 * time.Second, 19 * time.Second}; !slices.Equal(ats, want) {
		t.Fatalf("arrivals %v, want %v", ats, want)
	}
	if st := tr.Stats(); st.Late != 1 || st.MaxLateness != 18*time.Second {
		t.Fatalf("stats %+v, want 1 late row, 18s late", st)
	}
}

func TestTraceToleratesFormattingNoise(t *testing.T) {
	in := "\xef\xbb\xbf" + TraceHeader + "\r\n" + "a,f,1.5,0.5\r\n" + "\n" + "a,f, 2.5 ,0.5" // BOM, CRLF, blank, no final newline
	tr, err := newTraceString(t, in, TraceSpec{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, tr)
	if len(got) != 2 || got[0].At != time.Second || got[1].At != 2*time.Second || got[0].Duration != 500*time.Millisecond {
		t.Fatalf("got %+v", got)
	}
}

func TestTraceErrorsNameTheLine(t *testing.T) {
	long := "a," + strings.Repeat("x", traceBufferSize) + ",1,1\n"
	cases := []struct{ in, want string }{
		{"", "empty input, want a header line"},
		{"app,func,end,duration\n", `line 1: header is "app,func,end,duration", want "app,func,end_timestamp,duration"`},
		{TraceHeader + "\na,f,1,1\na,f,2\n", "line 3: want 4 comma-separated fields (app,func,end_timestamp,duration), got 3"},
		{TraceHeader + "\na,f,1,1,9\n", "line 2: want 4 comma-separated fields (app,func,end_timestamp,duration), got more"},
		{TraceHeader + "\na,f,1,1\n\na,f,x,1\n", `line 4: end_timestamp "x": strconv.ParseFloat: parsing "x": invalid syntax`},
		{TraceHeader + "\na,f,1,-1\n", "line 2: duration must be ≥ 0, got -1"},
		{TraceHeader + "\na,f,NaN,1\n", `line 2: end_timestamp "NaN": must be a finite number`},
		{TraceHeader + "\na,f,1e300,1\n", `line 2: end_timestamp "1e300": must be a finite number of seconds`},
		{TraceHeader + "\n,f,1,1\n", "line 2: app is empty"},
		{TraceHeader + "\na,,1,1\n", "line 2: func is empty"},
		{TraceHeader + "\n" + long, "line 2: longer than 65536 bytes"},
	}
	for _, c := range cases {
		tr, err := newTraceString(t, c.in, TraceSpec{})
		if err == nil {
			for {
				if _, ok := tr.Next(); !ok {
					break
				}
			}
			err = tr.Err()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60q:\n got  %v\n want …%s…", c.in, err, c.want)
		}
	}
	// Errors wrap their cause.
	tr, _ := newTraceString(t, TraceHeader+"\na,f,x,1\n", TraceSpec{})
	tr.Next()
	if !errors.Is(tr.Err(), strconv.ErrSyntax) {
		t.Errorf("error %v does not wrap strconv.ErrSyntax", tr.Err())
	}
	if _, err := OpenTrace(TraceSpec{Path: "does-not-exist.csv"}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestTraceSpecYAML(t *testing.T) {
	var s TraceSpec
	in := "path: t.csv\ntime-scale: 0.5\nmax-apps: 4\nzero-offset: true\nreorder-window: 10m\n"
	if err := strictyaml.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if want := (TraceSpec{Path: "t.csv", TimeScale: 0.5, MaxApps: 4, ZeroOffset: true, ReorderWindow: 10 * time.Minute}); s != want {
		t.Fatalf("got %+v", s)
	}
	for in, want := range map[string]string{
		"path: t.csv\nscale: 2":          `line 2: scale: unknown field "scale" (known: path, time-scale, max-apps, zero-offset, reorder-window)`,
		"path: t.csv\ntime_scale: 2":     `line 2: time_scale: unknown field "time_scale": use time-scale`,
		"path: t.csv\ntime-scale: -1":    "line 2: time-scale: must be finite and ≥ 0",
		"path: t.csv\nmax-apps: -2":      "line 2: max-apps: must be ≥ 0",
		"path: t.csv\nreorder-window: 5": "line 2: reorder-window: 5 has no unit: write 5s",
		"zero-offset: true":              "line 1: path: is required",
	} {
		err := strictyaml.Unmarshal([]byte(in), &s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q:\n got  %v\n want …%s…", in, err, want)
		}
	}
}

// synthTrace generates an end-sorted trace on the fly, like the full Azure
// 2021 trace but of any length, without holding it in memory.
type synthTrace struct {
	rows, next  int
	perSecond   float64
	maxDuration float64
	src         *rng.Source
	store, out  []byte
	header      bool
}

func newSynthTrace(rows int, perSecond, maxDuration float64) *synthTrace {
	return &synthTrace{rows: rows, perSecond: perSecond, maxDuration: maxDuration, src: rng.New(1), store: make([]byte, 0, 8192)}
}

func (g *synthTrace) Read(p []byte) (int, error) {
	if len(g.out) == 0 {
		b := g.store[:0]
		if !g.header {
			g.header = true
			b = append(b, TraceHeader+"\n"...)
		}
		for len(b) < 4096 && g.next < g.rows {
			i := g.next
			g.next++
			b = append(b, "app"...)
			b = strconv.AppendInt(b, int64(i*7%40), 10)
			b = append(b, ",fn"...)
			b = strconv.AppendInt(b, int64(i%5), 10)
			b = append(b, ',')
			b = strconv.AppendFloat(b, 100+float64(i)/g.perSecond, 'f', 6, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, min(g.src.ExpFloat64(), g.maxDuration), 'f', 3, 64)
			b = append(b, '\n')
		}
		g.store, g.out = b, b
		if len(b) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, g.out)
	g.out = g.out[n:]
	return n, nil
}

// The full trace has about two million rows; replaying that many must not
// grow memory beyond the reorder window's worth of rows.
func TestTraceMemoryIsBoundedByTheWindow(t *testing.T) {
	rows := 2_000_000
	if testing.Short() {
		rows = 200_000
	}
	const perSecond, maxDur = 200, 30.0
	tr, err := NewTrace(newSynthTrace(rows, perSecond, maxDur), TraceSpec{ZeroOffset: true})
	if err != nil {
		t.Fatal(err)
	}
	var prev time.Duration
	n := 0
	for {
		inv, ok := tr.Next()
		if !ok {
			break
		}
		if inv.At < prev {
			t.Fatalf("row %d: arrival %v after %v", n, inv.At, prev)
		}
		prev = inv.At
		n++
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}
	st := tr.Stats()
	if n != rows || st.Rows != int64(rows) {
		t.Fatalf("read %d rows, emitted %d, want %d", st.Rows, n, rows)
	}
	// Rows in flight: those whose end lies within maxDur of the latest end.
	if bound := int(perSecond*maxDur) + 100; st.MaxBuffered > bound {
		t.Fatalf("buffered up to %d rows, want ≤ %d", st.MaxBuffered, bound)
	}
	if tr.NumApps() != 40 || tr.NumFuncs() != 40 {
		t.Fatalf("%d apps, %d funcs", tr.NumApps(), tr.NumFuncs())
	}
}

func TestTraceNextDoesNotAllocate(t *testing.T) {
	tr, err := NewTrace(newSynthTrace(1_000_000, 200, 30), TraceSpec{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50000; i++ { // intern every name, grow the heap to its peak
		tr.Next()
	}
	if n := testing.AllocsPerRun(10000, func() { tr.Next() }); n != 0 {
		t.Fatalf("%v allocs per row", n)
	}
}
