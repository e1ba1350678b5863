package peers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/waiter-go/waiter/engine"
)

func TestCountersReachEveryPeer(t *testing.T) {
	a, b, c := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret), startNode(t, "c", "", testSecret)
	join(a, b, c)
	last := time.UnixMilli(1764727200123)
	a.local.setCounters(engine.ServiceCounters{Service: "s1", Outstanding: 7, Waiting: 2, SlotsInUse: 5, SlotsAvailable: 1, LastRequest: last})
	a.run(t)
	for _, peer := range []*node{b, c} {
		eventually(t, 5*time.Second, "counters from a reach "+peer.id, func() bool {
			p, _ := peer.local.last("a")
			return len(p.Services) == 1
		})
		p, _ := peer.local.last("a")
		got := p.Services[0]
		if got.Service != "s1" || got.Outstanding != 7 || got.Waiting != 2 || got.SlotsInUse != 5 ||
			got.SlotsAvailable != 1 || !got.LastRequest.Equal(last) || p.At.IsZero() {
			t.Fatalf("%s got %+v at %v", peer.id, got, p.At)
		}
	}
	// The sender publishes every interval: a change arrives without a new connection.
	a.local.setCounters(engine.ServiceCounters{Service: "s1", Outstanding: 9})
	eventually(t, 5*time.Second, "an updated count reaches b", func() bool {
		p, _ := b.local.last("a")
		return len(p.Services) == 1 && p.Services[0].Outstanding == 9
	})
	if _, n := a.local.last("a"); n != 0 {
		t.Fatal("a router publishes to itself")
	}
}

func TestSyncReconnectsAfterThePeerRestarts(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	a.local.setCounters(engine.ServiceCounters{Service: "s1", Outstanding: 1})
	a.run(t)
	eventually(t, 5*time.Second, "first counters", func() bool { _, n := b.local.last("a"); return n > 0 })
	addr := b.addr
	b.stop()
	b2 := startNode(t, "b", addr, testSecret)
	eventually(t, 10*time.Second, "counters after b restarted", func() bool { _, n := b2.local.last("a"); return n > 0 })
}

func TestSyncFollowsMembership(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	a.local.setCounters(engine.ServiceCounters{Service: "s1"})
	a.run(t)
	// a alone: nothing sent; b joins: b hears from a.
	join(a, b)
	eventually(t, 5*time.Second, "b hears from a once it joined", func() bool { _, n := b.local.last("a"); return n > 0 })
	// b leaves a's view: a stops publishing to it.
	a.mem.Set(nil, "a")
	_, before := b.local.last("a")
	eventually(t, 2*time.Second, "a stops publishing to a router that left", func() bool {
		_, n1 := b.local.last("a")
		time.Sleep(100 * time.Millisecond)
		_, n2 := b.local.last("a")
		return n1 == n2 && n1 >= before
	})
}

func TestSyncRefusesUnauthenticated(t *testing.T) {
	b := startNode(t, "b", "", testSecret)
	// No signature at all.
	_, resp, err := websocket.Dial(context.Background(), "ws://"+b.addr+PathSync, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned dial: %v, %v", resp, err)
	}
	// Signed with another secret: a publishes, b never hears from it.
	a := startNode(t, "a", "", []byte("not-the-cluster-secret!"))
	join(a, b)
	a.local.setCounters(engine.ServiceCounters{Service: "s1"})
	a.run(t)
	_, err = a.net.dialSync(context.Background(), b.info())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("dial with the wrong secret: %v", err)
	}
	if _, n := b.local.last("a"); n != 0 {
		t.Fatal("b took counters signed with the wrong secret")
	}
}

func TestSyncTrustsTheSignatureNotTheMessage(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	conn, err := a.net.dialSync(context.Background(), b.info())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	msg := `{"services":[{"service-id":"s1","outstanding":3}],"router":"c"}`
	if err := conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the message arrives as a's", func() bool { _, n := b.local.last("a"); return n == 1 })
	if _, n := b.local.last("c"); n != 0 {
		t.Fatal("a message named another router and was believed")
	}
}

func TestSyncMessageIsBounded(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	conn, err := a.net.dialSync(context.Background(), b.info())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	huge := `{"services":[{"service-id":"` + strings.Repeat("x", MaxMessage) + `"}]}`
	_ = conn.Write(context.Background(), websocket.MessageText, []byte(huge))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = conn.Read(ctx)
	// b closes with 1009; the close may reach a as a reset while a still writes.
	if err == nil || ctx.Err() != nil {
		t.Fatalf("after an oversized message the connection stays open: %v", err)
	}
	if _, n := b.local.last("a"); n != 0 {
		t.Fatal("an oversized message was delivered")
	}
	// The sender side keeps under the bound by dropping the idlest services.
	var many []engine.ServiceCounters
	for i := range 2000 {
		many = append(many, engine.ServiceCounters{Service: strings.Repeat("s", 100), Outstanding: i})
	}
	data := encodeCounters(many, 50_000)
	if len(data) > 50_000 || !strings.Contains(string(data), `"outstanding":1999`) {
		t.Fatalf("encodeCounters: %d bytes, busiest kept: %v", len(data), strings.Contains(string(data), `"outstanding":1999`))
	}
}

func TestSilentSyncConnectionIsClosed(t *testing.T) {
	a, b := startNode(t, "a", "", testSecret), startNode(t, "b", "", testSecret)
	join(a, b)
	// Timed from before the dial: b's idle time starts when it takes the
	// connection, which can be before dialSync returns to a starved test.
	start := time.Now()
	conn, err := a.net.dialSync(context.Background(), b.info())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := conn.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("silent connection not closed by b: %v", err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("closed after %s, before the 500 ms idle timeout", d)
	}
}
