package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/waiter-go/waiter/sim/eventq"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

// TraceHeader is the header line of an Azure Functions 2021 invocation trace.
const TraceHeader = "app,func,end_timestamp,duration"

// TraceSpec describes a replay of an Azure Functions 2021 per-invocation
// trace: rows of app,func,end_timestamp,duration with times in seconds, where
// an invocation arrived at end_timestamp − duration.
//
//	path: traces/azure2021-first21min.csv
//	time-scale: 0.5        # arrivals twice as dense; 0 or omitted means 1
//	max-apps: 5            # only the first 5 apps to appear; 0 keeps all
//	zero-offset: true      # the first arrival is at 0
//	reorder-window: 10m    # 0 or omitted: adapt to the longest duration seen
type TraceSpec struct {
	// Path is the CSV file; OpenTrace reads it, NewTrace ignores it.
	Path string `yaml:"path" required:"true" doc:"the CSV file (app,func,end_timestamp,duration, times in seconds), relative to the scenario file's folder"`
	// TimeScale multiplies arrival times (after the offset). Durations are
	// not scaled: they are the functions' execution times.
	TimeScale float64 `yaml:"time-scale" default:"1" unit:"factor" doc:"multiplies arrival times (after zero-offset): 0.5 makes arrivals twice as dense; execution times are not scaled"`
	// MaxApps keeps only rows of the first MaxApps distinct apps, in the
	// order they first appear in the file.
	MaxApps int `yaml:"max-apps" computed:"0 (all)" unit:"count" doc:"keeps only the first this many apps to appear in the file"`
	// ZeroOffset shifts arrivals so that the first is at 0. Without it,
	// arrivals keep the trace's clock, and any before 0 are reported at 0.
	ZeroOffset bool `yaml:"zero-offset" doc:"shifts arrivals so that the first is at 0; without it they keep the trace's clock"`
	// ReorderWindow bounds how far out of arrival order the file may be.
	// The published trace is sorted by end time, so a row is out of order by
	// at most the longest duration; with 0 the reader uses the longest
	// duration seen so far. Rows later than the window are counted in
	// TraceStats.Late and reported at the latest time already emitted.
	ReorderWindow time.Duration `yaml:"reorder-window" computed:"0 (adapts)" doc:"how far out of arrival order rows may be; 0 uses the longest execution time seen so far"`
}

// Validate reports the first field that breaks a rule, as a *SpecError.
func (s TraceSpec) Validate() error {
	switch {
	case math.IsNaN(s.TimeScale) || math.IsInf(s.TimeScale, 0) || s.TimeScale < 0:
		return &SpecError{Field: "time-scale", Msg: fmt.Sprintf("must be finite and ≥ 0 (0 means 1), got %v", s.TimeScale)}
	case s.MaxApps < 0:
		return &SpecError{Field: "max-apps", Msg: fmt.Sprintf("must be ≥ 0 (0 keeps all), got %d", s.MaxApps)}
	case s.ReorderWindow < 0:
		return &SpecError{Field: "reorder-window", Msg: fmt.Sprintf("must be ≥ 0 (0 adapts), got %v", s.ReorderWindow)}
	}
	return nil
}

// UnmarshalStrict decodes a TraceSpec and validates it.
func (s *TraceSpec) UnmarshalStrict(n strictyaml.Node) error {
	var out TraceSpec
	if err := strictyaml.DecodeFields(n, &out); err != nil {
		return err
	}
	if err := out.Validate(); err != nil {
		return located(err, n)
	}
	*s = out
	return nil
}

// Invocation is one replayed trace row.
type Invocation struct {
	At       time.Duration // arrival, after offset and scaling
	Duration time.Duration // execution time recorded in the trace
	App      int32         // dense app index, in order of first appearance
	Func     int32         // dense (app, func) index, in order of first appearance
}

// TraceStats counts what a Trace has read and how it had to reorder.
type TraceStats struct {
	Rows        int64         // data rows parsed
	Skipped     int64         // rows dropped by MaxApps
	Emitted     int64         // invocations returned by Next
	Late        int64         // rows that arrived before an already emitted one
	MaxLateness time.Duration // how much earlier the latest of those was
	MaxBuffered int           // peak rows held for reordering
}

// Trace streams invocations from a trace in arrival order. It reads one line
// at a time and holds only the rows that may still be overtaken (a heap
// bounded by the reorder window), so a 2-million-row trace needs no more
// memory than its first minutes. It is not safe for concurrent use.
type Trace struct {
	spec   TraceSpec
	scale  float64
	r      *bufio.Reader
	closer io.Closer
	line   int
	eof    bool
	err    error

	buf    eventq.Queue[pending] // keyed by raw arrival; ties in file order
	maxEnd time.Duration
	maxDur time.Duration

	started bool
	offset  time.Duration
	lastRaw time.Duration

	names interner
	stats TraceStats
}

type pending struct {
	dur     time.Duration
	app, fn int32
}

// traceBufferSize bounds one line; the real trace's lines are ~150 bytes.
const traceBufferSize = 64 << 10

// OpenTrace opens spec.Path and reads its header. Close the Trace when done.
func OpenTrace(spec TraceSpec) (*Trace, error) {
	f, err := os.Open(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("load: trace: %w", err)
	}
	t, err := NewTrace(f, spec)
	if err != nil {
		f.Close()
		return nil, err
	}
	t.closer = f
	return t, nil
}

// NewTrace reads a trace from r (spec.Path is ignored), checking its header
// now and its rows as Next reaches them.
func NewTrace(r io.Reader, spec TraceSpec) (*Trace, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	t := &Trace{spec: spec, scale: spec.TimeScale, r: bufio.NewReaderSize(r, traceBufferSize), names: newInterner()}
	if t.scale == 0 {
		t.scale = 1
	}
	header, err := t.readLine()
	if err != nil {
		return nil, err
	}
	header = bytes.TrimPrefix(header, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	if string(header) != TraceHeader {
		return nil, fmt.Errorf("load: trace line 1: header is %q, want %q", header, TraceHeader)
	}
	return t, nil
}

// Close closes the file OpenTrace opened; it is a no-op for NewTrace.
func (t *Trace) Close() error {
	if t.closer == nil {
		return nil
	}
	return t.closer.Close()
}

// Next returns the next invocation in arrival order. ok is false at the end
// of the trace or at the first malformed row; Err tells which.
func (t *Trace) Next() (inv Invocation, ok bool) {
	for t.err == nil {
		if e, ok := t.buf.Peek(); ok && (t.eof || e.At <= t.watermark()) {
			t.buf.Pop()
			return t.emit(e), true
		}
		if t.eof {
			return Invocation{}, false
		}
		t.readRow()
	}
	return Invocation{}, false
}

// Err returns the error that stopped Next, or nil at a clean end.
func (t *Trace) Err() error { return t.err }

// Stats returns counts of what has been read so far.
func (t *Trace) Stats() TraceStats { return t.stats }

// NumApps returns the number of distinct apps seen so far.
func (t *Trace) NumApps() int { return len(t.names.appNames) }

// NumFuncs returns the number of distinct (app, func) pairs seen so far.
func (t *Trace) NumFuncs() int { return len(t.names.funcNames) }

// AppName returns the hash naming app index i.
func (t *Trace) AppName(i int32) string { return t.names.appNames[i] }

// FuncName returns the app index and the function hash of (app, func) index i.
func (t *Trace) FuncName(i int32) (app int32, name string) {
	return t.names.funcApp[i], t.names.funcNames[i]
}

// watermark is a lower bound on the raw arrival of every row not yet read:
// rows come in end-time order (or better), so a later row ends no earlier than
// the latest end seen and started at most one window before that.
func (t *Trace) watermark() time.Duration {
	w := t.spec.ReorderWindow
	if w == 0 {
		w = t.maxDur
	}
	return t.maxEnd - w
}

func (t *Trace) emit(e eventq.Event[pending]) Invocation {
	raw := e.At
	if t.started && raw < t.lastRaw {
		t.stats.Late++
		t.stats.MaxLateness = max(t.stats.MaxLateness, t.lastRaw-raw)
		raw = t.lastRaw
	}
	if !t.started {
		t.started = true
		if t.spec.ZeroOffset {
			t.offset = raw
		}
	}
	t.lastRaw = raw
	at := max(raw-t.offset, 0)
	if t.scale != 1 {
		at = time.Duration(math.Round(float64(at) * t.scale))
	}
	t.stats.Emitted++
	return Invocation{At: at, Duration: e.Value.dur, App: e.Value.app, Func: e.Value.fn}
}

// readLine returns the next line without its line ending, or an error; at
// end of input it sets eof and returns nil, nil.
func (t *Trace) readLine() ([]byte, error) {
	line, err := t.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("load: trace line %d: longer than %d bytes", t.line+1, traceBufferSize)
	case errors.Is(err, io.EOF):
		t.eof = true
		if len(line) == 0 {
			if t.line == 0 {
				return nil, errors.New("load: trace: empty input, want a header line")
			}
			return nil, nil
		}
	case err != nil:
		return nil, fmt.Errorf("load: trace: reading line %d: %w", t.line+1, err)
	}
	t.line++
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// readRow reads and buffers one row, or records why it could not.
func (t *Trace) readRow() {
	line, err := t.readLine()
	if err != nil {
		t.err = err
		return
	}
	if len(line) == 0 {
		return // a blank line, or the end of input
	}
	r, err := parseRow(line)
	if err != nil {
		t.err = fmt.Errorf("load: trace line %d: %w", t.line, err)
		return
	}
	t.stats.Rows++
	app, fn, ok := t.names.intern(r.key, r.appLen, t.spec.MaxApps)
	if !ok {
		t.stats.Skipped++
		return
	}
	// Only kept rows move the watermark: it must bound the rows it releases,
	// and a skipped row's long duration says nothing about them.
	t.maxEnd = max(t.maxEnd, r.end)
	t.maxDur = max(t.maxDur, r.dur)
	t.buf.Push(r.end-r.dur, pending{dur: r.dur, app: app, fn: fn})
	t.stats.MaxBuffered = max(t.stats.MaxBuffered, t.buf.Len())
}
