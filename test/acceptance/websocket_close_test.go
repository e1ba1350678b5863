package acceptance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// The service ends a websocket cleanly (kitchen closes with 1011 when asked
// for more than it makes, as Waiter's kitchen does): the close frame, its
// status and reason reach the client through the router, and the socket
// stops counting as outstanding.
func TestWebsocketClosedCleanlyByService(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	c := rt.wsDial(t, ctx, h)
	waitOutstanding(t, rt, id, 1)
	if err := c.Write(ctx, websocket.MessageText, []byte("chars-999999999999")); err != nil {
		t.Fatalf("write: %v", err)
	}
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusInternalError ||
		!strings.HasPrefix(ce.Reason, "Requested text payload of 999999999999 chars exceeds maximum size") {
		t.Fatalf("read: %v, want the service's 1011 close with its reason", err)
	}
	waitOutstanding(t, rt, id, 0)
}
