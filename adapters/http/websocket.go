package waiterhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// errWebsocketIdle: neither side of a proxied websocket sent a byte for the
// streaming timeout, so the router closed both (Waiter's idle limit).
var errWebsocketIdle = errors.New("websocket idle for the streaming timeout")

// isWebsocketUpgrade reports whether r asks to switch to the websocket
// protocol (Connection: upgrade and Upgrade: websocket over HTTP/1.1).
// Such a request is proxied as a tunnel instead of a request/response.
func isWebsocketUpgrade(r *http.Request) bool {
	return r.ProtoMajor == 1 && headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether a comma-separated header lists token,
// ignoring case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// forwardWebsocket proxies a granted websocket handshake to its instance
// and, once the instance switches protocols, relays bytes both ways until
// either side closes or both stay silent for the streaming timeout. The
// grant is held for as long as the socket is open, so the request counts
// as outstanding until then. It returns the outcome to release with.
func (s *Server) forwardWebsocket(w http.ResponseWriter, r *http.Request, rs *resolved, g *waiter.Grant, dbg debugInfo) engine.Outcome {
	// Tracked until the relay ends, so that a drain waits for it.
	track, untrack := s.sockets.add()
	defer untrack()
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	out, _ := s.backendRequest(ctx, r, rs, g, cancel, nil)
	// backendRequest drops hop-by-hop headers; the upgrade itself is the
	// one hop-by-hop exchange a websocket needs carried through.
	out.Header.Set("Connection", "Upgrade")
	out.Header.Set("Upgrade", r.Header.Get("Upgrade"))
	// Websockets switch protocols from HTTP/1.1; an h2c or h2 backend is
	// reached over HTTP/1.1 (TLS when the backend uses it).
	proto := "http"
	if schemeOf(rs.desc.BackendProto) == "https" {
		proto = "https"
	}
	socket := newWatchdog(s.clock, cancel, errBackendTimeout)
	socket.arm(rs.t.socket)
	resp, err := s.transports.forProto(proto).RoundTrip(out)
	socket.disable()
	if err != nil {
		herr, outcome := classifyFailure(ctx, r, nil, err)
		if herr != nil {
			herr.ServiceID = rs.desc.ID
			s.setDebugHeaders(w.Header(), r, dbg)
			s.writeError(w, r, herr)
			s.metrics.response(rs.desc.ID, herr.Status)
		}
		return outcome
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return s.refuseUpgrade(w, r, rs, resp, dbg)
	}
	backend, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		s.writeError(w, r, &Error{Status: http.StatusBadGateway, ServiceID: rs.desc.ID,
			Message: msgUpgradeFailed,
			Cause:   fmt.Errorf("backend switched protocols but its body %T is not writable", resp.Body)})
		return engine.OutcomeInstanceError
	}
	client, buffered, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.log.Info("websocket: cannot take over the client connection", "cid", info(r).cid, "error", err)
		return engine.OutcomeClientError
	}
	defer client.Close()
	track(client)
	// The server's per-request deadlines must not cut a long-lived socket;
	// the idle watchdog below is the only limit.
	_ = client.SetDeadline(time.Time{})
	if err := s.writeSwitchingProtocols(buffered.Writer, r, resp, dbg); err != nil {
		return engine.OutcomeClientError
	}
	s.metrics.response(rs.desc.ID, resp.StatusCode)
	// buffered.Reader may already hold bytes the client sent after its
	// handshake; read through it so none are lost.
	s.relayWebsocket(ctx, cancel, info(r).cid, client, buffered.Reader, backend, rs.t.streaming)
	if errors.Is(context.Cause(ctx), errWebsocketIdle) {
		s.log.Info("websocket closed after idle timeout", "cid", info(r).cid, "service-id", rs.desc.ID)
	}
	return engine.OutcomeSuccess
}

// msgUpgradeFailed is Waiter's answer when the backend does not switch
// protocols (reference 1.8).
const msgUpgradeFailed = "Failed to upgrade to websocket connection"

// refuseUpgrade answers a handshake the backend did not accept: Waiter's
// error with the backend's error status, else 400, released as the
// client's error (the instance answered; the client asked for something
// the service does not do).
func (s *Server) refuseUpgrade(w http.ResponseWriter, r *http.Request, rs *resolved, resp *http.Response, dbg debugInfo) engine.Outcome {
	status := resp.StatusCode
	if status < http.StatusBadRequest {
		status = http.StatusBadRequest
	}
	s.setDebugHeaders(w.Header(), r, dbg)
	s.writeError(w, r, &Error{Status: status, Message: msgUpgradeFailed, ServiceID: rs.desc.ID,
		Cause: fmt.Errorf("backend answered the websocket handshake with %s", resp.Status)})
	s.metrics.response(rs.desc.ID, status)
	return engine.OutcomeClientError
}

// writeSwitchingProtocols sends the backend's 101 to the client with the
// router's own headers added.
func (s *Server) writeSwitchingProtocols(bw interface {
	io.Writer
	Flush() error
}, r *http.Request, resp *http.Response, dbg debugInfo) error {
	h := resp.Header.Clone()
	appendVia(h, viaValue(r, s.cfg.Version))
	h.Set(hdrCID, info(r).cid)
	s.setDebugHeaders(h, r, dbg)
	if _, err := fmt.Fprintf(bw, "HTTP/1.1 101 Switching Protocols\r\n"); err != nil {
		return fmt.Errorf("writing websocket 101 status line: %w", err)
	}
	if err := h.Write(bw); err != nil {
		return fmt.Errorf("writing websocket 101 headers: %w", err)
	}
	if _, err := io.WriteString(bw, "\r\n"); err != nil {
		return fmt.Errorf("ending websocket 101 headers: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("flushing websocket 101: %w", err)
	}
	return nil
}

// relayWebsocket copies bytes both ways until one side ends, the request is
// canceled, or no byte moves for idle; then it closes both sides so the
// other copy ends too, and returns once both copies have.
func (s *Server) relayWebsocket(ctx context.Context, cancel context.CancelCauseFunc, cid string, client net.Conn,
	fromClient io.Reader, backend io.ReadWriteCloser, idle time.Duration) {
	dog := newWatchdog(s.clock, cancel, errWebsocketIdle)
	defer dog.stop()
	dog.arm(idle)
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			_ = client.Close()
			_ = backend.Close()
		})
	}
	stop := context.AfterFunc(ctx, closeBoth)
	defer stop()
	done := make(chan struct{}, 2)
	pump := func(dst io.Writer, src io.Reader) {
		defer func() { done <- struct{}{} }()
		defer closeBoth()
		defer s.containPump(cid)
		bp := bufPool.Get().(*[]byte)
		defer bufPool.Put(bp)
		buf := *bp
		for {
			n, rerr := src.Read(buf)
			if n > 0 {
				dog.arm(idle)
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if rerr != nil {
				return
			}
		}
	}
	go pump(backend, fromClient)
	go pump(client, backend)
	<-done
	<-done
}

// containPump ends a relay's copy that panicked as if its side had
// closed: the pumps are goroutines of their own, where a panic of the
// router's code would end the process with every connection it holds.
// The relay then closes both sides and returns, and the grant is
// released as for any socket that ended. The panic is logged with its
// stack and counted (waiter_router_panics_total).
func (s *Server) containPump(cid string) {
	if v := recover(); v != nil {
		s.countPanic(v)
		s.log.Error("websocket relay panicked; closing the socket", "cid", cid,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
}
