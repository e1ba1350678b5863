package kitchen

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
)

// HandlerConfig is what a Handler needs from its process. Exit and Environ
// are fields so that tests can watch /die and /environment without touching
// the test binary's own process.
type HandlerConfig struct {
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Exit ends the process; nil means os.Exit. /die, x-kitchen-die-after-ms
	// and x-kitchen-fail-by-terminating-jvm call it with 1.
	Exit func(code int)
	// Environ lists the environment for /environment; nil means os.Environ.
	Environ func() []string
	// Username and Password, when both set, require HTTP basic auth on
	// every path except /bad-status, /sleep and /status. Run takes them from
	// WAITER_USERNAME and WAITER_PASSWORD.
	Username, Password string
	// EnableStatusChange honours x-kitchen-default-status-value.
	EnableStatusChange bool
	// KeepAlive leaves out Connection: close (see Config.KeepAlive).
	KeepAlive bool
}

// Handler is the kitchen's http.Handler. It serves every method and path;
// the path and x-kitchen-* headers choose the behaviour. Its state (counters,
// async requests, default status) lives as long as the Handler.
type Handler struct {
	log          *slog.Logger
	exit         func(int)
	environ      func() []string
	auth         *basicAuth
	statusChange bool
	keepAlive    bool

	counters   counters
	wsCounters counters
	status     defaultStatus
	async      asyncStore
	exits      exitWatch
}

// NewHandler returns a Handler with fresh state.
func NewHandler(cfg HandlerConfig) *Handler {
	h := &Handler{
		log:          cfg.Logger,
		exit:         cfg.Exit,
		environ:      cfg.Environ,
		auth:         newBasicAuth(cfg.Username, cfg.Password),
		statusChange: cfg.EnableStatusChange,
		keepAlive:    cfg.KeepAlive,
	}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if h.exit == nil {
		h.exit = os.Exit
	}
	if h.environ == nil {
		h.environ = os.Environ
	}
	return h
}

// ServeHTTP answers one request. A request that must end without a complete
// response (see errAbort) panics with http.ErrAbortHandler, which is how
// net/http is told to drop the connection silently.
func (h *Handler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	r := newRequest(hr)
	if !h.auth.allows(r) {
		h.log.Info("refused: missing or wrong basic auth", "method", r.method, "path", r.path)
		writeEmpty(w, http.StatusForbidden)
		return
	}
	if strings.EqualFold(hr.Header.Get("Upgrade"), "websocket") {
		h.serveWebsocket(w, hr)
		return
	}

	h.counters.begin()
	defer h.counters.end()
	status, cid, err := h.serve(w, r)
	switch {
	case err == nil:
		h.log.Info("request", "method", r.method, "path", r.path, "status", status, "cid", cid)
	case errors.Is(err, errBadInput):
		h.log.Info("bad request", "method", r.method, "path", r.path, "cid", cid, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, errAbort):
		h.log.Info("connection dropped", "method", r.method, "path", r.path, "cid", cid, "reason", err)
		panic(http.ErrAbortHandler)
	default:
		h.log.Error("request failed", "method", r.method, "path", r.path, "cid", cid, "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// serve runs the rules and writes the response; it reports the status and
// x-cid for the log. Errors before the write leave w untouched.
func (h *Handler) serve(w http.ResponseWriter, r *request) (int, string, error) {
	p := newResponse(r)
	if h.keepAlive || r.ProtoMajor == 2 {
		// On HTTP/2, Connection: close would make the server end the
		// whole connection (every stream on it) after this response.
		p.header.Del("Connection")
	}
	o, err := parseOptions(r.Header, r.chunked)
	if err != nil {
		return 0, p.cid(), err
	}
	ctx := r.Context()
	op, err := h.applyPath(ctx, r, p)
	if err != nil {
		return 0, p.cid(), err
	}
	if err := h.applyOptions(ctx, r, o, p, &op); err != nil {
		return 0, p.cid(), err
	}
	if o.exitAfterResponse && !h.exits.mark(r.Request) {
		defer h.terminate("failure header")
	}
	if err := h.serveAsync(op, r, o, p); err != nil {
		return 0, p.cid(), err
	}
	if p.gzip {
		if p.body, err = p.body.gzipped(); err != nil {
			return 0, p.cid(), err
		}
	}
	return p.status, p.cid(), p.write(ctx, w)
}

// terminate ends the process the way the original did (os._exit(1)): no
// cleanup, open connections just break.
func (h *Handler) terminate(source string) {
	h.log.Warn("killed", "by", source)
	h.exit(1)
}
