package kitchen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/coder/websocket"
)

// kitchenGreeting is the first message a websocket client receives, as in
// Waiter's kitchen.
const kitchenGreeting = "Connected to kitchen"

// serveWebsocket accepts a websocket on any path, greets the client and
// answers its messages until the client closes (reference section 10).
func (h *Handler) serveWebsocket(w http.ResponseWriter, hr *http.Request) {
	if p := hr.Header.Get("Sec-WebSocket-Protocol"); p != "" {
		// The original accepts whatever subprotocols the client offers,
		// echoing the header as sent: one is agreed, several make a
		// client fail the handshake (it must get one of its own).
		w.Header().Set("Sec-WebSocket-Protocol", p)
	}
	c, err := websocket.Accept(w, hr, nil)
	if err != nil {
		// Accept has already answered the client with the reason.
		h.log.Info("websocket handshake refused", "path", hr.URL.Path, "err", err)
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(maxWebsocketMessage)
	h.wsCounters.begin()
	defer h.wsCounters.end()
	ctx := hr.Context()
	if err := c.Write(ctx, websocket.MessageText, []byte(kitchenGreeting)); err != nil {
		h.log.Info("websocket greeting failed", "path", hr.URL.Path, "err", err)
		return
	}
	err = h.answerMessages(ctx, c, newRequest(hr).info())
	var refuse wsRefusal
	if errors.As(err, &refuse) {
		// The kitchen itself ends the socket, cleanly (a close frame with
		// a status and reason), as the original does for an oversized
		// bytes-N or chars-N.
		h.log.Info("websocket closed by the kitchen", "path", hr.URL.Path, "reason", refuse.reason)
		_ = c.Close(websocket.StatusInternalError, refuse.reason)
		return
	}
	if status := websocket.CloseStatus(err); status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway {
		h.log.Info("websocket closed", "path", hr.URL.Path)
		return
	}
	h.log.Info("websocket ended", "path", hr.URL.Path, "err", err)
}

// answerMessages answers each message until reading fails: the text
// commands request-info, kitchen-state, bytes-N and chars-N get their
// answer, anything else is echoed back with its type.
func (h *Handler) answerMessages(ctx context.Context, c *websocket.Conn, reqInfo map[string]any) error {
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return fmt.Errorf("reading websocket message: %w", err)
		}
		if typ == websocket.MessageText {
			if answerTyp, answer, ok, cerr := h.wsCommand(string(data), reqInfo); cerr != nil {
				return cerr
			} else if ok {
				typ, data = answerTyp, answer
			}
		}
		if err := c.Write(ctx, typ, data); err != nil {
			return fmt.Errorf("answering websocket message: %w", err)
		}
	}
}

// maxWebsocketMessage is the largest message the kitchen reads, Waiter's
// kitchen's default (--ws-max-*-message-size, 128 MiB); a larger one closes
// the socket.
const maxWebsocketMessage = 128 << 20

// maxGenerated bounds bytes-N and chars-N so a command cannot make the
// kitchen allocate without limit.
const maxGenerated = 64 << 20

// wsCommand is the answer to a text command, ok false when the message is
// not one (and is echoed instead).
func (h *Handler) wsCommand(msg string, reqInfo map[string]any) (websocket.MessageType, []byte, bool, error) {
	switch {
	case msg == "request-info":
		doc, err := json.Marshal(reqInfo)
		if err != nil {
			return 0, nil, false, fmt.Errorf("kitchen: encode websocket request-info: %w", err)
		}
		return websocket.MessageText, doc, true, nil
	case msg == "kitchen-state":
		st := h.kitchenState()
		// kitchenState leaves out the HTTP request asking for it; this
		// asker is a websocket message, so every HTTP request counts.
		st["pending-http-requests"] = h.counters.pending.Load()
		doc, err := json.Marshal(st)
		if err != nil {
			return 0, nil, false, fmt.Errorf("kitchen: encode websocket kitchen-state: %w", err)
		}
		return websocket.MessageText, doc, true, nil
	}
	for _, gen := range []struct {
		prefix string
		typ    websocket.MessageType
		alpha  string
		what   string
	}{{"bytes-", websocket.MessageBinary, "", "binary payload of %d bytes"}, {"chars-", websocket.MessageText, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "text payload of %d chars"}} {
		rest, found := strings.CutPrefix(msg, gen.prefix)
		if !found {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return 0, nil, false, nil // not a command: echoed
		}
		if n > maxGenerated {
			return 0, nil, false, wsRefusal{reason: fmt.Sprintf("Requested "+gen.what+" exceeds maximum size %d.", n, maxGenerated)}
		}
		out := make([]byte, n)
		for i := range out {
			if gen.alpha == "" {
				out[i] = byte(rand.UintN(256))
			} else {
				out[i] = gen.alpha[rand.IntN(len(gen.alpha))]
			}
		}
		return gen.typ, out, true, nil
	}
	return 0, nil, false, nil
}

// wsRefusal ends a websocket with status 1011 and reason: a command asked
// for more than the kitchen makes (the original's _ws_close(1011, ...)).
type wsRefusal struct{ reason string }

func (r wsRefusal) Error() string { return "kitchen: " + r.reason }
