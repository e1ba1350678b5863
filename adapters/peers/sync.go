package peers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/coder/websocket"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/peerauth"
)

// serveSync is GET PathSync: a peer's metrics-sync websocket. Each message
// becomes one engine.PeerCounters of the router the signature proved.
func (n *Network) serveSync(w http.ResponseWriter, r *http.Request) {
	from := peerauth.Caller(r.Context())
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	if !n.track(conn) {
		_ = conn.Close(websocket.StatusGoingAway, "router shutting down")
		return
	}
	defer n.untrack(conn)
	conn.SetReadLimit(MaxMessage)
	ctx := r.Context()
	for {
		rctx, cancel := n.cfg.Clock.WithTimeout(ctx, n.cfg.IdleTimeout)
		typ, data, err := conn.Read(rctx)
		cancel()
		if err != nil {
			if websocket.CloseStatus(err) == -1 && ctx.Err() == nil {
				n.log.Debug("metrics sync from peer ended", "peer", from, "error", err)
			}
			return
		}
		if typ != websocket.MessageText {
			_ = conn.Close(websocket.StatusUnsupportedData, "text JSON messages only")
			return
		}
		var msg syncMessage
		if err := json.Unmarshal(data, &msg); err != nil {
			_ = conn.Close(websocket.StatusInvalidFramePayloadData, "invalid JSON")
			return
		}
		pc := engine.PeerCounters{Router: from, At: n.cfg.Clock.Now(), Services: make([]engine.ServiceCounters, 0, len(msg.Services))}
		for _, s := range msg.Services {
			if s.Service != "" {
				pc.Services = append(pc.Services, s.counters())
			}
		}
		n.cfg.Local.PeerCounters(pc)
	}
}

// Run keeps one publisher per peer the Membership lists, starting and
// stopping them as it changes, until ctx ends.
func (n *Network) Run(ctx context.Context) {
	type pub struct {
		url    string
		cancel context.CancelFunc
	}
	running := map[string]pub{}
	var wg sync.WaitGroup
	defer func() {
		for _, p := range running {
			p.cancel()
		}
		wg.Wait()
	}()
	for {
		want := map[string]string{}
		for _, r := range n.peers() {
			want[r.ID] = r.URL
		}
		for id, p := range running {
			if u, ok := want[id]; !ok || u != p.url {
				p.cancel()
				delete(running, id)
			}
		}
		for id, u := range want {
			if _, ok := running[id]; ok {
				continue
			}
			pctx, cancel := context.WithCancel(ctx)
			running[id] = pub{url: u, cancel: cancel}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.publish(pctx, waiter.RouterInfo{ID: id, URL: u})
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-n.cfg.Membership.Changed():
		}
	}
}

// publish keeps a websocket to peer and sends this router's counters on
// it every interval, reconnecting with a backoff that doubles from 50 ms
// to 2 s while the peer cannot be reached.
func (n *Network) publish(ctx context.Context, peer waiter.RouterInfo) {
	backoff := minBackoff
	for ctx.Err() == nil {
		conn, err := n.dialSync(ctx, peer)
		if err != nil {
			n.log.Debug("metrics sync: cannot reach peer", "peer", peer.ID, "error", err)
			select {
			case <-ctx.Done():
				return
			case <-n.cfg.Clock.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		backoff = minBackoff
		err = n.sendLoop(ctx, conn)
		_ = conn.CloseNow()
		if ctx.Err() == nil {
			n.log.Debug("metrics sync to peer dropped; reconnecting", "peer", peer.ID, "error", err)
		}
	}
}

func (n *Network) sendLoop(ctx context.Context, conn *websocket.Conn) error {
	// The peer sends nothing; CloseRead notices its close frame.
	ctx = conn.CloseRead(ctx)
	t := n.cfg.Clock.Ticker(n.cfg.Interval)
	defer t.Stop()
	for {
		data := encodeCounters(n.cfg.Local.Counters(), MaxMessage)
		wctx, cancel := n.cfg.Clock.WithTimeout(ctx, n.cfg.IdleTimeout)
		err := conn.Write(wctx, websocket.MessageText, data)
		cancel()
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// dialSync opens a signed websocket to peer's PathSync.
func (n *Network) dialSync(ctx context.Context, peer waiter.RouterInfo) (*websocket.Conn, error) {
	u, err := url.Parse(strings.TrimSuffix(peer.URL, "/") + PathSync)
	if err != nil {
		return nil, err
	}
	req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}
	if err := n.signer.Sign(req, peer.ID, nil); err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return nil, errors.New("peer URL must be http or https: " + peer.URL)
	}
	dctx, cancel := n.cfg.Clock.WithTimeout(ctx, n.cfg.CallTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, u.String(), &websocket.DialOptions{HTTPClient: n.client, HTTPHeader: req.Header,
		CompressionMode: websocket.CompressionDisabled})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// encodeCounters is the sync message for cs, at most limit bytes: when
// every service does not fit, the busiest ones (most outstanding) go and
// the rest wait for a quieter moment; the idle ones matter least to the
// autoscaler's sum.
func encodeCounters(cs []engine.ServiceCounters, limit int) []byte {
	msg := syncMessage{Services: make([]wireCounters, len(cs))}
	for i, c := range cs {
		msg.Services[i] = toWire(c)
	}
	data, _ := json.Marshal(msg)
	if len(data) <= limit {
		return data
	}
	sort.SliceStable(msg.Services, func(i, j int) bool { return msg.Services[i].Outstanding > msg.Services[j].Outstanding })
	for keep := len(msg.Services) / 2; ; keep /= 2 {
		data, _ = json.Marshal(syncMessage{Services: msg.Services[:keep]})
		if len(data) <= limit || keep == 0 {
			return data
		}
	}
}
