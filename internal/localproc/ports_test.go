package localproc

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

func TestPortPool(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := NewPortPool(100, 104, time.Minute, "127.0.0.1", func() time.Time { return now })
	taken := map[int]bool{102: true} // another program listens there
	p.Bindable = func(port int) bool { return !taken[port] }

	got, err := p.Reserve(2)
	if err != nil || !slices.Equal(got, []int{100, 101}) {
		t.Fatalf("Reserve(2) = %v, %v; want [100 101]", got, err)
	}
	got, err = p.Reserve(2)
	if err != nil || !slices.Equal(got, []int{103, 104}) {
		t.Fatalf("Reserve(2) = %v, %v; want [103 104] (102 is taken by the OS)", got, err)
	}
	if _, err := p.Reserve(1); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("Reserve from a full range: %v, want ErrNoPorts", err)
	}

	// Released ports rest.
	p.Release([]int{100, 101})
	if _, err := p.Reserve(1); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("Reserve during the rest: %v, want ErrNoPorts", err)
	}
	now = now.Add(time.Minute)
	got, err = p.Reserve(2)
	if err != nil || !slices.Equal(got, []int{100, 101}) {
		t.Fatalf("Reserve after the rest = %v, %v; want [100 101]", got, err)
	}

	// A failed reservation takes nothing.
	p.Release([]int{103})
	now = now.Add(time.Minute)
	if _, err := p.Reserve(2); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("Reserve(2) with one free port: %v, want ErrNoPorts", err)
	}
	if got, err := p.Reserve(1); err != nil || !slices.Equal(got, []int{103}) {
		t.Fatalf("Reserve(1) = %v, %v; want [103]", got, err)
	}

	// Ports of an adopted process group are claimed, and a claim ends
	// their rest.
	q := NewPortPool(200, 201, time.Minute, "127.0.0.1", func() time.Time { return now })
	q.Bindable = func(int) bool { return true }
	q.Claim([]int{200})
	if got, err := q.Reserve(1); err != nil || !slices.Equal(got, []int{201}) {
		t.Fatalf("Reserve next to a claimed port = %v, %v; want [201]", got, err)
	}
}

// Reservations go round-robin: the port released last is reused last.
func TestPortPoolRoundRobin(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	p := NewPortPool(10, 12, 0, "127.0.0.1", func() time.Time { return now })
	p.Bindable = func(int) bool { return true }
	var order []int
	for range 4 {
		got, err := p.Reserve(1)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, got[0])
		p.Release(got)
	}
	if want := []int{10, 11, 12, 10}; !slices.Equal(order, want) {
		t.Fatalf("reserve-release order %v, want %v", order, want)
	}
}

// A closed port is free only until someone else takes it: anything on the
// machine may bind it (or, on Linux 6, hold it as an outgoing connection's
// ephemeral port) between the Close and Bindable. CI saw that twice, once
// on 127.0.0.1 and once on a loopback address nothing else binds. So the
// free half tries up to five fresh ports: a Bindable that never says free
// still fails every time, and one that always does fails the in-use half.
func TestBindable(t *testing.T) {
	t.Parallel()
	const host = "127.83.19.4"
	listen := func() (net.Listener, int) {
		l, err := net.Listen("tcp4", host+":0")
		if err != nil {
			t.Fatal(err)
		}
		return l, l.Addr().(*net.TCPAddr).Port
	}
	l, port := listen()
	if Bindable(host, port) {
		t.Errorf("port %d is in use but reported bindable", port)
	}
	_ = l.Close()
	var tried []int
	for len(tried) < 5 {
		l, port := listen()
		_ = l.Close()
		if Bindable(host, port) {
			return
		}
		tried = append(tried, port)
	}
	t.Errorf("ports %v were free but reported in use", tried)
}
