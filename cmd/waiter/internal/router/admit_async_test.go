package router

import (
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

type asyncAnswer struct {
	g   waiter.Grant
	err error
}

// AdmitAsync queues a cold start and answers it through notify once the
// instance is up; a request with a free slot is answered at once, with no
// call of notify.
func TestAdmitAsyncQueuesThenNotifies(t *testing.T) {
	h := newHarness(t)
	d := desc(t, engine.Params{"concurrency-level": 2.0})
	adm := waiter.Admission{Description: d}
	answers := make(chan asyncAnswer, 2)
	notify := func(g waiter.Grant, err error) { answers <- asyncAnswer{g, err} }
	g, pending, err := h.d.AdmitAsync(adm, notify)
	if err != nil || pending == 0 || g != (waiter.Grant{}) {
		t.Fatalf("first AdmitAsync: grant %+v pending %d err %v, want queued", g, pending, err)
	}
	first := <-answers
	if first.err != nil || first.g.Request != pending || first.g.Instance == "" {
		t.Fatalf("notified %+v, want a grant for request %d", first, pending)
	}
	g, pending, err = h.d.AdmitAsync(adm, func(waiter.Grant, error) { t.Error("notify called for an answer given at once") })
	if err != nil || pending != 0 || g.Instance != first.g.Instance {
		t.Fatalf("second AdmitAsync: grant %+v pending %d err %v, want the free slot at once", g, pending, err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	h.d.Release(first.g, engine.OutcomeSuccess)
	h.d.do(func() {
		if len(h.d.reqs) != 0 {
			t.Errorf("records left after every release: %v", h.d.reqs)
		}
	})
	select {
	case a := <-answers:
		t.Errorf("notify called again: %+v", a)
	default:
	}
}

// A queued request withdrawn with CancelAdmission leaves the queue and
// is never notified: the next request takes the instance it would have.
func TestCancelAdmissionWithdrawsQueuedRequest(t *testing.T) {
	h := newHarness(t)
	d := desc(t, engine.Params{"concurrency-level": 1.0})
	adm := waiter.Admission{Description: d}
	_, pending, err := h.d.AdmitAsync(adm, func(g waiter.Grant, err error) {
		t.Errorf("a withdrawn request was notified: %+v %v", g, err)
	})
	if err != nil || pending == 0 {
		t.Fatalf("AdmitAsync: pending %d err %v, want queued", pending, err)
	}
	h.d.CancelAdmission(pending)
	h.d.do(func() {
		if _, ok := h.d.reqs[pending]; ok {
			t.Errorf("withdrawn request %d still recorded", pending)
		}
	})
	answers := make(chan asyncAnswer, 1)
	_, next, err := h.d.AdmitAsync(adm, func(g waiter.Grant, err error) { answers <- asyncAnswer{g, err} })
	if err != nil {
		t.Fatalf("next AdmitAsync: %v", err)
	}
	var a asyncAnswer
	if next == 0 {
		t.Fatal("next request answered before the instance could be up")
	}
	a = <-answers
	if a.err != nil || a.g.Request != next {
		t.Fatalf("next request notified %+v, want its grant", a)
	}
	h.d.Release(a.g, engine.OutcomeSuccess)
}
