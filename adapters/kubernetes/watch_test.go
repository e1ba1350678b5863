package kubernetes

import (
	"context"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/clock"
)

// instantClock is the real clock, except that After fires at once and
// records how long it was asked to wait: a reflector's back-off, without
// its waits.
type instantClock struct {
	clock.RealClock
	mu    sync.Mutex
	waits []time.Duration
}

func (c *instantClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

func (c *instantClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// outageLW lists no ReplicaSets, then refuses `refusals` watches as an
// API server that is away does (connection refused), then hands out a
// fake watch.
type outageLW struct {
	refusals int
	mu       sync.Mutex
	watches  int
	resumed  chan *watch.FakeWatcher
}

func (l *outageLW) List(metav1.ListOptions) (runtime.Object, error) {
	return &appsv1.ReplicaSetList{ListMeta: metav1.ListMeta{ResourceVersion: "1"}}, nil
}

func (l *outageLW) Watch(metav1.ListOptions) (watch.Interface, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watches++
	if l.watches <= l.refusals {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	w := watch.NewFakeWithChanSize(1, false)
	l.resumed <- w
	return w, nil
}

// The reflector lists and watches; no streaming list.
func (l *outageLW) IsWatchListSemanticsUnSupported() bool { return true }

// However long the API server is away, a watch tries it again within
// watchRetryMax and its jitter, so the caches Observe answers from catch
// up within about a second of its return. With client-go's default
// back-off (what the shared informers used), the waits grow to [30, 60)
// s, and the router routed and scaled from the state of before the
// outage for as long (TestSurvivesAPIServerOutage's rare failure:
// requested 1, 3 slow requests, no scale-up within 30 s). The reflector
// waits on its clock here; a re-list after a broken watch waits on the
// real one, with the same back-off.
func TestWatchTriesAgainWithinASecondHoweverLongTheOutage(t *testing.T) {
	const refusals = 30 // client-go's default back-off would wait ~20 minutes in all
	lw := &outageLW{refusals: refusals, resumed: make(chan *watch.FakeWatcher, 1)}
	clk := &instantClock{}
	changes := make(chan any, 1)
	w := newWatched("test", lw, &appsv1.ReplicaSet{}, nil, func(obj any, _ bool) { changes <- obj }, clk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	var fw *watch.FakeWatcher
	select {
	case fw = <-lw.resumed:
	case <-time.After(time.Minute):
		t.Fatalf("no watch after %d refused ones", refusals)
	}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "after-the-outage", Namespace: "waiter", ResourceVersion: "2"}}
	fw.Add(rs)
	select {
	case got := <-changes:
		if got.(*appsv1.ReplicaSet).Name != rs.Name {
			t.Errorf("changed: %v, want %s", got, rs.Name)
		}
	case <-time.After(time.Minute):
		t.Fatal("the resumed watch's change never reached the store")
	}
	if !w.hasSynced() {
		t.Error("not synced after the first list")
	}

	waits := clk.recorded()
	if len(waits) < refusals {
		t.Fatalf("%d waits for %d refused watches, want one each", len(waits), refusals)
	}
	limit := time.Duration(float64(watchRetryMax) * (1 + watchRetryJit))
	var total, longest time.Duration
	for _, d := range waits {
		total, longest = total+d, max(longest, d)
	}
	if longest > limit {
		t.Errorf("waited up to %s before watching again, want at most %s (waits: %v)", longest.Round(time.Millisecond), limit, waits)
	}
	t.Logf("%d refused watches waited %s in all, %s at most", len(waits), total.Round(time.Millisecond), longest.Round(time.Millisecond))
}

// The store tells of every change the reflector makes, after the
// indexer holds it: adds, updates and deletes one by one, and a re-list
// (Replace) as the removal of what it no longer holds and a change of
// everything it holds.
func TestWatchedTellsEveryChange(t *testing.T) {
	type change struct {
		name string
		gone bool
	}
	var got []change
	var w *watched
	w = newWatched("test", &outageLW{}, &appsv1.ReplicaSet{}, nil, func(obj any, gone bool) {
		m := obj.(metav1.Object)
		if _, held, _ := w.GetByKey(m.GetNamespace() + "/" + m.GetName()); held == gone {
			t.Errorf("%s told (gone %v) before the store held the change", m.GetName(), gone)
		}
		got = append(got, change{m.GetName(), gone})
	}, nil)
	rs := func(name string) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "waiter"}}
	}
	if w.hasSynced() {
		t.Fatal("synced before any list")
	}
	steps := []struct {
		do   func() error
		want []change
	}{
		{func() error { return w.Replace([]any{rs("a"), rs("b")}, "1") }, []change{{"a", false}, {"b", false}}},
		{func() error { return w.Add(rs("c")) }, []change{{"c", false}}},
		{func() error { return w.Update(rs("a")) }, []change{{"a", false}}},
		{func() error { return w.Delete(rs("b")) }, []change{{"b", true}}},
		// The re-list after an outage: c went meanwhile, d came.
		{func() error { return w.Replace([]any{rs("a"), rs("d")}, "9") }, []change{{"c", true}, {"a", false}, {"d", false}}},
	}
	for i, s := range steps {
		got = nil
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("step %d told %v, want %v", i, got, s.want)
		}
	}
	if !w.hasSynced() {
		t.Error("not synced after a list")
	}
	if keys := w.ListKeys(); len(keys) != 2 {
		t.Errorf("store holds %v, want waiter/a and waiter/d", keys)
	}
}
