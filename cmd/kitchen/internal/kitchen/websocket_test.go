package kitchen

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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

func TestWebsocket_Commands(t *testing.T) {
	h, _ := newTestHandler(HandlerConfig{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws-path",
		&websocket.DialOptions{HTTPHeader: http.Header{"X-Probe": {"seen"}}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	if _, _, err := c.Read(ctx); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	ask := func(cmd string) (websocket.MessageType, []byte) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, []byte(cmd)); err != nil {
			t.Fatalf("write %s: %v", cmd, err)
		}
		typ, data, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("answer to %s: %v", cmd, err)
		}
		return typ, data
	}
	var info map[string]any
	if _, doc := ask("request-info"); json.Unmarshal(doc, &info) != nil || info["uri"] != "/ws-path" ||
		info["headers"].(map[string]any)["x-probe"] != "seen" {
		t.Errorf("request-info = %s", doc)
	}
	var st map[string]any
	if _, doc := ask("kitchen-state"); json.Unmarshal(doc, &st) != nil || st["pending-ws-requests"] != 1.0 ||
		st["pending-http-requests"] != 0.0 {
		t.Errorf("kitchen-state = %s", doc)
	}
	if typ, b := ask("bytes-1000"); typ != websocket.MessageBinary || len(b) != 1000 {
		t.Errorf("bytes-1000 = %v with %d bytes", typ, len(b))
	}
	if typ, s := ask("chars-50"); typ != websocket.MessageText || len(s) != 50 || strings.Trim(string(s), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Errorf("chars-50 = %v %q", typ, s)
	}
	if typ, s := ask("chars-x"); typ != websocket.MessageText || string(s) != "chars-x" {
		t.Errorf("a malformed command is echoed; got %v %q", typ, s)
	}
	// More than the kitchen makes: it closes the socket cleanly, 1011.
	if err := c.Write(ctx, websocket.MessageText, []byte("bytes-999999999999")); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusInternalError ||
		!strings.HasPrefix(ce.Reason, "Requested binary payload of 999999999999 bytes exceeds maximum size") {
		t.Errorf("oversized bytes-N: %v, want a 1011 close with the reason", err)
	}
}
