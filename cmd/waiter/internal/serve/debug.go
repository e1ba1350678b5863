package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"
)

// Bounds of the debug listener (debug-listen), which serves Go's runtime
// profiles to the router's operators. A CPU profile, an execution trace
// or a delta profile lasts as long as its seconds parameter (net/http/pprof
// extends the write deadline by as much), bounded here; the rest of a
// request is bounded as the router's own are, and /debug/pprof/symbol's
// POST body (addresses to name) by size.
const (
	debugMaxSeconds = 120
	debugMaxBody    = 1 << 20
	debugHeaderTime = 10 * time.Second
	debugWriteTime  = 30 * time.Second
	debugIdle       = time.Minute
	debugMaxHeader  = 16 << 10
)

// debugServer serves /debug/pprof/ on its own listener, apart from the
// router's: nothing of it is reachable through the router's port, and
// the router's authentication, routes and limits do not apply to it
// (config's debug-listen takes only a loopback address).
type debugServer struct {
	srv  *http.Server
	done chan struct{}
}

// startDebug listens on addr and serves the profiles there until stop;
// a nil server (addr "") does nothing.
func startDebug(addr string, log *slog.Logger) (*debugServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // the named profiles too: heap, goroutine, allocs, ...
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	d := &debugServer{done: make(chan struct{}), srv: &http.Server{
		Handler:           boundedDebug(mux),
		ReadHeaderTimeout: debugHeaderTime,
		ReadTimeout:       debugHeaderTime,
		WriteTimeout:      debugWriteTime,
		IdleTimeout:       debugIdle,
		MaxHeaderBytes:    debugMaxHeader,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}}
	go func() {
		defer close(d.done)
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("waiter serve: debug listener stopped", "error", err)
		}
	}()
	log.Info("waiter serve: debug listening", "addr", ln.Addr().String(), "profiles", "/debug/pprof/")
	return d, nil
}

// boundedDebug is h with a request's body bounded and its seconds
// parameter (in the query or a form) at most debugMaxSeconds.
func boundedDebug(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, debugMaxBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if s := r.Form.Get("seconds"); s != "" {
			if n, err := strconv.ParseFloat(s, 64); err != nil || !(n <= debugMaxSeconds) { // NaN too
				http.Error(w, fmt.Sprintf("seconds must be a number of at most %d (got %q)", debugMaxSeconds, s), http.StatusBadRequest)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// stop closes the debug listener and its connections (a profile being
// taken ends cut short) and waits for its server to return.
func (d *debugServer) stop() {
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := d.srv.Shutdown(ctx); err != nil {
		_ = d.srv.Close()
	}
	<-d.done
}
