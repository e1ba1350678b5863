package kitchen

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/coder/websocket"
)

// kitchenGreeting is the first message a websocket client receives, as in
// Waiter's kitchen.
const kitchenGreeting = "Connected to kitchen"

// serveWebsocket accepts a websocket on any path, greets the client and
// echoes every text and binary message back with its type until the client
// closes (reference section 10).
func (h *Handler) serveWebsocket(w http.ResponseWriter, hr *http.Request) {
	c, err := websocket.Accept(w, hr, nil)
	if err != nil {
		// Accept has already answered the client with the reason.
		h.log.Info("websocket handshake refused", "path", hr.URL.Path, "err", err)
		return
	}
	defer c.CloseNow()
	h.wsCounters.begin()
	defer h.wsCounters.end()
	ctx := hr.Context()
	if err := c.Write(ctx, websocket.MessageText, []byte(kitchenGreeting)); err != nil {
		h.log.Info("websocket greeting failed", "path", hr.URL.Path, "err", err)
		return
	}
	err = echoMessages(ctx, c)
	if status := websocket.CloseStatus(err); status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway {
		h.log.Info("websocket closed", "path", hr.URL.Path)
		return
	}
	h.log.Info("websocket ended", "path", hr.URL.Path, "err", err)
}

// echoMessages sends each message back with its type until reading fails.
func echoMessages(ctx context.Context, c *websocket.Conn) error {
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return fmt.Errorf("reading websocket message: %w", err)
		}
		if err := c.Write(ctx, typ, data); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return fmt.Errorf("echoing websocket message: %w", err)
		}
	}
}
