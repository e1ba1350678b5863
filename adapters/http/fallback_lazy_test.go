package waiterhttp

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
)

// snapshotCounter is a fakeRouter that counts the snapshots asked of it.
type snapshotCounter struct {
	*fakeRouter
	asked atomic.Int32
}

func (c *snapshotCounter) Service(id string) (waiter.ServiceSnapshot, bool) {
	c.asked.Add(1)
	return c.fakeRouter.Service(id)
}

// A request for a token edited outside its fallback period does not ask
// the router for its service's snapshot (a trip to the router's loop);
// within the period it does, to learn whether the latest is healthy.
func TestFallbackAsksHealthOnlyWithinPeriod(t *testing.T) {
	store, fr, clk := newMemStore(), newFakeRouter(), clock.NewMock()
	clk.Set(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	router := &snapshotCounter{fakeRouter: fr}
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: router, Store: store, Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e := &testEdge{srv: srv, store: store, router: fr, clock: clk}
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	put := func(version string) {
		if _, _, err := store.PutToken("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": version},
			"", testUser, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	get := func() {
		t.Helper()
		wantStatus(t, e.do(t, req{path: "/x", headers: map[string]string{"x-waiter-token": "kit"}}), 200)
	}

	put("v1")
	clk.Add(301 * time.Second) // past the default 300 s fallback period
	get()
	if n := router.asked.Load(); n != 0 {
		t.Fatalf("outside the fallback period the router was asked %d snapshots", n)
	}
	put("v2") // edited now: within the period
	get()
	if router.asked.Load() == 0 {
		t.Fatal("within the fallback period the latest service's health was not asked")
	}
}
