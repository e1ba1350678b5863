package peers

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/clustertest"
)

var testSecret = []byte("cluster-secret-for-tests")

// fakeLocal is a router as the network sees it.
type fakeLocal struct {
	mu       sync.Mutex
	counters []engine.ServiceCounters
	got      []engine.PeerCounters
	inUse    map[string]bool   // instance ids with requests here
	ejected  map[string]string // instance -> the router that asked
	killable map[string]string // service -> instance
	known    map[string]bool
	offered  []string // "from service instance"
	released []string // "from service instance outcome"
}

func newFakeLocal() *fakeLocal {
	return &fakeLocal{inUse: map[string]bool{}, ejected: map[string]string{}, killable: map[string]string{}, known: map[string]bool{}}
}

func (f *fakeLocal) Counters() []engine.ServiceCounters {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.ServiceCounters(nil), f.counters...)
}

func (f *fakeLocal) setCounters(c ...engine.ServiceCounters) {
	f.mu.Lock()
	f.counters = c
	f.mu.Unlock()
}

func (f *fakeLocal) PeerCounters(p engine.PeerCounters) {
	f.mu.Lock()
	f.got = append(f.got, p)
	f.mu.Unlock()
}

// last is the latest report from router, if any.
func (f *fakeLocal) last(router string) (engine.PeerCounters, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	var out engine.PeerCounters
	for _, p := range f.got {
		if p.Router == router {
			out = p
			n++
		}
	}
	return out, n
}

func (f *fakeLocal) Eject(from, service, instance, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inUse[instance] {
		return ErrInUse
	}
	f.ejected[instance] = from
	return nil
}

func (f *fakeLocal) SlotOffered(from, service, instance string) {
	f.mu.Lock()
	f.offered = append(f.offered, from+" "+service+" "+instance)
	f.mu.Unlock()
}

func (f *fakeLocal) SlotReleased(from, service, instance string, o engine.Outcome) {
	f.mu.Lock()
	f.released = append(f.released, from+" "+service+" "+instance+" "+o.String())
	f.mu.Unlock()
}

func (f *fakeLocal) KillCandidate(ctx context.Context, from, service string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.killable[service]
	if !ok {
		return "", ErrNothingToKill
	}
	delete(f.killable, service)
	return id, nil
}

func (f *fakeLocal) ServiceCounters(service string) (engine.ServiceCounters, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.counters {
		if c.Service == service {
			return c, true
		}
	}
	return engine.ServiceCounters{}, false
}

func (f *fakeLocal) Knows(service string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.known[service]
}

// node is one in-process router: its network, fake router, membership and
// HTTP server on 127.0.0.1.
type node struct {
	id    string
	net   *Network
	local *fakeLocal
	mem   *clustertest.Membership
	srv   *httptest.Server
	addr  string
}

// startNode starts a router's peer endpoints on a free loopback port (or
// on addr when given, to restart one where it was).
func startNode(t *testing.T, id, addr string, secret []byte) *node {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{id: id, local: newFakeLocal(), addr: ln.Addr().String()}
	n.mem = clustertest.New(waiter.RouterInfo{ID: id, URL: "http://" + n.addr})
	n.net, err = New(Config{Membership: n.mem, Secret: secret, Local: n.local, Clock: clock.New(),
		Interval: 10 * time.Millisecond, IdleTimeout: 500 * time.Millisecond, CallTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: n.net.Handler()}}
	n.srv.Start()
	t.Cleanup(n.stop)
	return n
}

func (n *node) info() waiter.RouterInfo { return waiter.RouterInfo{ID: n.id, URL: "http://" + n.addr} }

// join makes every node's membership list all of them.
func join(nodes ...*node) {
	var all []waiter.RouterInfo
	for _, n := range nodes {
		all = append(all, n.info())
	}
	for _, n := range nodes {
		n.mem.Set(all, nodes[0].id)
	}
}

// run starts n's publishers until the test ends.
func (n *node) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.net.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// eventually waits for cond, failing after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop shuts n down as a process would: its server and its sync
// connections.
func (n *node) stop() {
	n.net.Close()
	n.srv.Close()
}
