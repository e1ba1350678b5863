package shell

import (
	"errors"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestPortPool(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := newPortPool(100, 104, time.Minute, func() time.Time { return now })
	taken := map[int]bool{102: true} // another program listens there
	p.available = func(port int) bool { return !taken[port] }

	got, err := p.reserve(2)
	if err != nil || !slices.Equal(got, []int{100, 101}) {
		t.Fatalf("reserve(2) = %v, %v; want [100 101]", got, err)
	}
	got, err = p.reserve(2)
	if err != nil || !slices.Equal(got, []int{103, 104}) {
		t.Fatalf("reserve(2) = %v, %v; want [103 104] (102 is taken by the OS)", got, err)
	}
	if _, err := p.reserve(1); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("reserve from a full range: %v, want ErrNoPorts", err)
	}

	// Released ports rest for the grace period.
	p.release([]int{100, 101})
	if _, err := p.reserve(1); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("reserve during the grace period: %v, want ErrNoPorts", err)
	}
	now = now.Add(time.Minute)
	got, err = p.reserve(2)
	if err != nil || !slices.Equal(got, []int{100, 101}) {
		t.Fatalf("reserve after the grace period = %v, %v; want [100 101]", got, err)
	}

	// A failed reservation takes nothing.
	p.release([]int{103})
	now = now.Add(time.Minute)
	if _, err := p.reserve(2); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("reserve(2) with one free port: %v, want ErrNoPorts", err)
	}
	if got, err := p.reserve(1); err != nil || !slices.Equal(got, []int{103}) {
		t.Fatalf("reserve(1) = %v, %v; want [103]", got, err)
	}

	// Adopted instances' ports are claimed.
	q := newPortPool(200, 201, time.Minute, func() time.Time { return now })
	q.available = func(int) bool { return true }
	q.claim([]int{200})
	if got, err := q.reserve(1); err != nil || !slices.Equal(got, []int{201}) {
		t.Fatalf("reserve next to a claimed port = %v, %v; want [201]", got, err)
	}
}

func TestPortBindable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if portBindable(port) {
		t.Errorf("port %d is in use but reported bindable", port)
	}
	_ = l.Close()
	if !portBindable(port) {
		t.Errorf("port %s is free but reported in use", strconv.Itoa(port))
	}
}
