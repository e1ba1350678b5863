package clustertest

import (
	"context"
	"testing"

	"github.com/waiter-go/waiter"
)

func TestMembership(t *testing.T) {
	m := New(waiter.RouterInfo{ID: "b", URL: "http://b"})
	if !m.Leader() || len(m.Routers()) != 1 {
		t.Fatalf("alone: leader %v routers %v", m.Leader(), m.Routers())
	}
	m.Set([]waiter.RouterInfo{{ID: "c"}, {ID: "a"}}, "a")
	m.Set([]waiter.RouterInfo{{ID: "c"}, {ID: "a"}}, "a") // folded into one signal
	<-m.Changed()
	select {
	case <-m.Changed():
		t.Fatal("two signals for two quick changes; the channel holds one")
	default:
	}
	rs := m.Routers()
	if len(rs) != 3 || rs[0].ID != "a" || rs[1].ID != "b" || rs[2].ID != "c" || m.Leader() || m.LeaderID() != "a" {
		t.Fatalf("routers %v leader %q", rs, m.LeaderID())
	}
	if err := m.Close(context.Background()); err != nil || !m.Closed() {
		t.Fatalf("Close: %v closed %v", err, m.Closed())
	}
}
