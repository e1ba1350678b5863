package kitchen

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestWebsocket_GreetsAndEchoesTextAndBinary(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/websocket-echo", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	if resp.StatusCode != 101 {
		t.Fatalf("handshake status %d, want 101", resp.StatusCode)
	}
	if typ, got, err := c.Read(ctx); err != nil || typ != websocket.MessageText || string(got) != kitchenGreeting {
		t.Fatalf("greeting = %v %q %v, want text %q", typ, got, err, kitchenGreeting)
	}
	for _, m := range []struct {
		typ  websocket.MessageType
		data []byte
	}{{websocket.MessageText, []byte("hello kitchen")}, {websocket.MessageBinary, []byte{0, 1, 2, 255}}} {
		if err := c.Write(ctx, m.typ, m.data); err != nil {
			t.Fatalf("write: %v", err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != m.typ || string(got) != string(m.data) {
			t.Errorf("echo = %v %q %v, want %v %q", typ, got, err, m.typ, m.data)
		}
	}
	if st := h.kitchenState(); st["pending-ws-requests"] != int64(1) || st["total-ws-requests"] != int64(1) {
		t.Errorf("kitchen-state with one open websocket: %v", st)
	}
	if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("close: %v", err)
	}
}
