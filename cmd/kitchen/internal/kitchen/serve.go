package kitchen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve answers HTTP on ln with h until ctx is done, then closes every
// connection at once: like the original on Ctrl-C, the kitchen does not wait
// for in-flight requests (a delayed one could hold it for minutes).
func Serve(ctx context.Context, ln net.Listener, h *Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: time.Minute, // only guards against idle half-open clients
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	h.exits.install(srv, func() { h.terminate("failure header") })

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
