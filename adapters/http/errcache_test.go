package waiterhttp

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

var errPageT0 = time.Date(2026, 12, 3, 4, 5, 6, 789, time.UTC)

func failure(cid, host, uri, query, method string, at time.Time) errorFields {
	return errorFields{
		Status: 503, Message: `Deployment error: Invalid startup command <"x" & 'y'>`, CID: cid,
		ServiceID: "waiter-service-abc", RouterID: "r1", Host: host, URI: uri, Query: query, Method: method,
		Timestamp: at, Time: at.Format(time.RFC3339Nano), Details: map[string]any{"outstanding": 3, "reason": "deployment-error"},
	}
}

// A page from the template is byte for byte the page a fresh render gives,
// whatever the request's facts hold (escapes of each content type).
func TestErrPagesEqualFreshRender(t *testing.T) {
	for _, ct := range []string{ctJSON, ctHTML, ctText} {
		p := newErrPages(time.Second, 16)
		first := failure("c-1", "example.com", "/first", "", "GET", errPageT0)
		if got, want := mustRender(p, first, ct, false), renderError(first, ct); !bytes.Equal(got, want) {
			t.Fatalf("%s first page differs:\n%s\n---\n%s", ct, got, want)
		}
		for i, f := range []errorFields{
			failure("c-2", "h<2>&\"'", "/p/ä/\u2028", "", "POST", errPageT0.Add(time.Millisecond)),
			failure("c-3", "h3", "/q", "a=1&b=<2>", "delete", errPageT0.Add(2*time.Millisecond)),
			failure("c-4\n\t", "h4", "/\\x", "", "HEAD", errPageT0.Add(999*time.Millisecond)),
		} {
			got := mustRender(p, f, ct, i != 1) // a query is its own JSON shape
			if want := renderError(f, ct); !bytes.Equal(got, want) {
				t.Errorf("%s page %d differs:\n%s\n---\n%s", ct, i, got, want)
			}
		}
	}
}

func mustRender(p *errPages, f errorFields, ct string, wantRepeat bool) []byte {
	b, _, repeat := p.render(f, ct)
	if repeat != wantRepeat {
		panic(fmt.Sprintf("%s %s: repeat = %v, want %v", ct, f.CID, repeat, wantRepeat))
	}
	return b
}

// Repeats inside the window are reported as such (their log line is not
// written) and counted; the first failure after the window is logged with
// that count.
func TestErrPagesCountSuppressedRepeats(t *testing.T) {
	p := newErrPages(time.Second, 16)
	f := failure("c", "h", "/", "", "GET", errPageT0)
	if _, n, repeat := p.render(f, ctText); repeat || n != 0 {
		t.Fatalf("first: repeat %v, suppressed %d", repeat, n)
	}
	for i := 1; i <= 5; i++ {
		f.Timestamp = errPageT0.Add(time.Duration(i) * 100 * time.Millisecond)
		if _, _, repeat := p.render(f, ctText); !repeat {
			t.Fatalf("repeat %d inside the window was not one", i)
		}
	}
	f.Timestamp = errPageT0.Add(time.Second)
	if _, n, repeat := p.render(f, ctText); repeat || n != 5 {
		t.Fatalf("after the window: repeat %v, suppressed %d, want false, 5", repeat, n)
	}
	other := f
	other.ServiceID = "waiter-service-other"
	if _, _, repeat := p.render(other, ctText); repeat {
		t.Fatal("another service's failure is not a repeat")
	}
	other.Message = "another failure"
	other.ServiceID = f.ServiceID
	if _, _, repeat := p.render(other, ctText); repeat {
		t.Fatal("another failure of the service is not a repeat")
	}
}

// The cache holds at most max kinds; beyond, pages are rendered afresh.
func TestErrPagesBounded(t *testing.T) {
	p := newErrPages(time.Minute, 4)
	for i := range 10 {
		f := failure("c", "h", "/", "", "GET", errPageT0)
		f.ServiceID = fmt.Sprintf("waiter-service-%d", i)
		p.render(f, ctJSON)
	}
	if n := len(p.entries); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
	f := failure("c", "h", "/", "", "GET", errPageT0)
	f.ServiceID = ""
	if _, _, repeat := p.render(f, ctJSON); repeat {
		t.Fatal("a failure with no service is never cached")
	}
}

// BenchmarkErrorPage compares rendering every failure (unthrottled) with
// the per-service template (throttled), in the same run.
func BenchmarkErrorPage(b *testing.B) {
	for _, ct := range []string{ctJSON, ctHTML, ctText} {
		b.Run("unthrottled/"+ct, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				f := failure("cid-1234", "example.com", "/path", "", "GET", errPageT0.Add(time.Duration(i)))
				_ = renderError(f, ct)
			}
		})
		b.Run("throttled/"+ct, func(b *testing.B) {
			b.ReportAllocs()
			p := newErrPages(time.Hour, 16)
			for i := 0; b.Loop(); i++ {
				f := failure("cid-1234", "example.com", "/path", "", "GET", errPageT0.Add(time.Duration(i)))
				_, _, _ = p.render(f, ct)
			}
		})
	}
}
