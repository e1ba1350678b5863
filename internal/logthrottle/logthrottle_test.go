package logthrottle

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"
)

// capture is an slog.Handler that keeps what reaches it; handlers derived
// from it write to the same lines.
type capture struct {
	*sink
	attrs []slog.Attr
}

type sink struct {
	mu    sync.Mutex
	lines []string
}

func newCapture() *capture { return &capture{sink: &sink{}} }

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) WithAttrs(a []slog.Attr) slog.Handler {
	return &capture{sink: c.sink, attrs: append(append([]slog.Attr(nil), c.attrs...), a...)}
}
func (c *capture) WithGroup(string) slog.Handler { return c }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	c.lines = append(c.lines, line)
	return nil
}

func (s *sink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// logAt logs one record stamped at t0+offset.
func logAt(h slog.Handler, offset time.Duration, msg string, attrs ...any) {
	r := slog.NewRecord(t0.Add(offset), slog.LevelWarn, msg, 0)
	r.Add(attrs...)
	_ = h.Handle(context.Background(), r)
}

func TestRepeatsAreDroppedAndCounted(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Second})
	for i := range 1000 {
		logAt(h, time.Duration(i)*time.Millisecond/2, "scheduler call failed", "service-id", "s1", "cid", fmt.Sprint(i))
	}
	if got := c.got(); len(got) != 1 || got[0] != "scheduler call failed service-id=s1 cid=0" {
		t.Fatalf("1000 repeats in half a second wrote %d lines: %v", len(got), got)
	}
	logAt(h, time.Second, "scheduler call failed", "service-id", "s1", "cid", "x")
	got := c.got()
	if len(got) != 2 || got[1] != "scheduler call failed service-id=s1 cid=x dropped-repeats=999" {
		t.Fatalf("the next window's line does not count the drops: %v", got)
	}
	logAt(h, 2*time.Second+time.Millisecond, "scheduler call failed", "service-id", "s1")
	if got := c.got(); len(got) != 3 || got[2] != "scheduler call failed service-id=s1" {
		t.Errorf("a line after a quiet window must not claim drops: %v", got)
	}
}

// Kinds are told apart by level, message, key attributes and the logger's
// own attributes, not by per-request values.
func TestKindsAreToldApart(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Minute})
	logAt(h, 0, "refused", "service-id", "a", "cid", "1")
	logAt(h, 1, "refused", "service-id", "a", "cid", "2") // same kind: dropped
	logAt(h, 2, "refused", "service-id", "b")
	logAt(h, 3, "other message", "service-id", "a")
	logAt(h.WithAttrs([]slog.Attr{slog.String("component", "http")}), 4, "refused", "service-id", "a")
	r := slog.NewRecord(t0, slog.LevelError, "refused", 0)
	r.Add("service-id", "a")
	_ = h.Handle(context.Background(), r)
	if got := c.got(); len(got) != 5 {
		t.Errorf("want 5 kinds through, got %d: %v", len(got), got)
	}
}

// The kinds tracked are bounded: past MaxKinds, new kinds fall back to
// level and message, so a flood of distinct lines is still throttled.
func TestKindsAreBounded(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Minute, MaxKinds: 10})
	for i := range 10000 {
		logAt(h, time.Duration(i)*time.Millisecond, "refused", "service-id", fmt.Sprint(i))
	}
	if n := len(h.st.kinds); n > 11 {
		t.Errorf("%d kinds tracked, want at most MaxKinds+1", n)
	}
	if got := c.got(); len(got) != 11 {
		t.Errorf("%d lines through, want the 10 tracked kinds and one coarse one", len(got))
	}
	// Once their windows end, full kinds are swept and their drops reported.
	logAt(h, 2*time.Minute, "refused", "service-id", "late")
	got := c.got()
	if last := got[len(got)-1]; last != "refused service-id=late" {
		t.Errorf("last line %q", last)
	}
	found := false
	for _, l := range got {
		found = found || l == "refused service-id=9999 dropped-repeats=9989"
	}
	if !found {
		t.Errorf("the coarse kind's drops were not reported on the sweep: %v", got[len(got)-3:])
	}
}

// Kinds whose records stopped coming are forgotten as new ones come,
// long before MaxKinds: a router with thousands of services does not
// keep each one's launch lines. Their drops are reported as they go.
func TestEndedKindsAreForgottenAsKindsGrow(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Second})
	logAt(h, 0, "launched", "service-id", "repeated")
	logAt(h, time.Millisecond, "launched", "service-id", "repeated")
	for i := range 1000 {
		logAt(h, time.Duration(i)*10*time.Millisecond, "launched", "service-id", fmt.Sprint(i))
	}
	// The last second's kinds (100) are live; twice that bounds the rest.
	if n := len(h.st.kinds); n > 200 {
		t.Errorf("%d kinds tracked after 1000 kinds over 10 s with a 1 s window, want at most 200", n)
	}
	found := false
	for _, l := range c.got() {
		found = found || l == "launched service-id=repeated dropped-repeats=1"
	}
	if !found {
		t.Error("the forgotten kind's dropped repeat was not reported")
	}
}

func TestFlushReportsPendingDrops(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Hour})
	for i := range 5 {
		logAt(h, time.Duration(i), "busy", "service-id", "a")
		logAt(h, time.Duration(i), "busy", "service-id", "b")
	}
	h.Flush(context.Background())
	got := c.got()[2:]
	sort.Strings(got)
	want := []string{"busy service-id=a dropped-repeats=4", "busy service-id=b dropped-repeats=4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("flush wrote %v, want %v", got, want)
	}
	h.Flush(context.Background())
	if n := len(c.got()); n != 4 {
		t.Errorf("a second flush reported again: %d lines", n)
	}
}

// Concurrent loggers are safe (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := newCapture()
	h := New(c, Options{Window: time.Hour})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := slog.New(h.WithAttrs([]slog.Attr{slog.Int("component", g%2)}))
			for range 100 {
				l.Warn("busy", "service-id", "s")
			}
		}()
	}
	wg.Wait()
	if n := len(c.got()); n != 2 {
		t.Errorf("%d lines through, want one per component", n)
	}
}
