package kitchen

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Serve answers HTTP on ln with h until ctx is done, then closes every
// connection at once: like the original on Ctrl-C, the kitchen does not wait
// for in-flight requests (a delayed one could hold it for minutes). It
// speaks HTTP/1.1 and HTTP/2 (h2c in clear, h2 over TLS with --tls), and
// gRPC calls go to the kitchen's gRPC service (grpc.go).
func Serve(ctx context.Context, ln net.Listener, h *Handler) error {
	return serve(ctx, ln, h, nil)
}

// serve is Serve, over TLS with cert when it is not nil.
func serve(ctx context.Context, ln net.Listener, h *Handler, cert *tls.Certificate) error {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	protocols.SetHTTP2(true)
	g := newGRPCServer()
	defer g.Stop()
	srv := &http.Server{
		Handler:           withGRPC(h, g),
		ReadHeaderTimeout: time.Minute, // only guards against idle half-open clients
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
		Protocols:         protocols,
	}
	h.exits.install(srv, func() { h.terminate("failure header") })
	exitContext := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(exitContext(ctx, c), connRequestsKey{}, new(atomic.Int64))
	}

	errc := make(chan error, 1)
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("kitchen: serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	closeErr := srv.Close()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("kitchen: serve %s: %w", ln.Addr(), err)
	}
	if closeErr != nil {
		return fmt.Errorf("kitchen: close %s: %w", ln.Addr(), closeErr)
	}
	return nil
}
