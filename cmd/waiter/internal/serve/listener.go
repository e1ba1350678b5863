package serve

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/h1guard"
)

// newHTTPServer is the router's listener: HTTP/1.1 and h2c (Waiter's
// server-options enable http2c), and HTTP/2 over TLS on the TLS listener,
// with every input from the network bounded in size and time.
//
// Set here: how long the client may take to send a request's header
// (read-header-timeout), how large it may be (max-header-bytes; larger is
// 431), and how long a keep-alive connection may sit idle (idle-timeout).
// Not set: ReadTimeout and WriteTimeout. They bound a whole request or
// response, and a proxied upload or download may last as long as it is
// alive (a streamed log, a long-poll, a large file); the HTTP edge bounds
// those by idleness instead (the streaming timeout between bytes), and
// bounds API bodies and responses per request with
// http.ResponseController (adapters/http/guard.go), lifting the deadlines
// when they end so the next request on the connection is not cut.
func newHTTPServer(cfg config.Config, edge http.Handler, log *slog.Logger, fresh *freshConns) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	protocols.SetHTTP2(true)
	return &http.Server{
		// The HTTP/1.1 listener's guard keeps the x-waiter-* header names
		// as sent, which Waiter's service ids depend on; they reach the
		// edge through the connection's and the request's contexts.
		Handler:           h1guard.Handler(edge),
		ConnContext:       h1guard.ConnContext,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		Protocols:         protocols,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		ConnState:         fresh.track,
	}
}

// listenTLS opens the TLS listener when the configuration has one. The
// certificate is loaded here so that a bad one fails the start, not the
// first client. ALPN offers h2 and http/1.1 (the server's Protocols), so
// HTTP/2 and gRPC clients, browsers and wss websockets all use it.
func listenTLS(cfg config.Config) (net.Listener, *tls.Config, error) {
	if !cfg.TLS.Enabled() {
		return nil, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("tls: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.TLS.Port)))
	if err != nil {
		return nil, nil, fmt.Errorf("tls: %w", err)
	}
	return ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
