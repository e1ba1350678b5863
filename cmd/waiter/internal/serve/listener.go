package serve

import (
	"log/slog"
	"net/http"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// newHTTPServer is the router's listener: HTTP/1.1 and h2c (Waiter's
// server-options enable http2c), with every input from the network
// bounded in size and time.
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
	return &http.Server{
		Handler:           edge,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		Protocols:         protocols,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		ConnState:         fresh.track,
	}
}
