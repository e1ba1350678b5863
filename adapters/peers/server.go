package peers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/waiter-go/waiter/internal/peerauth"
)

// Handler serves the inter-router endpoints (paths under Prefix); every
// request must carry a valid signature (401 otherwise).
func (n *Network) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathSync, n.serveSync)
	mux.HandleFunc("POST "+PathEject, n.serveEject)
	mux.HandleFunc("POST "+PathKill, n.serveKill)
	mux.HandleFunc("GET "+PathMetrics, n.serveMetrics)
	mux.HandleFunc("GET "+PathKnows, n.serveKnows)
	return n.verifier.Middleware(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"waiter-error": map[string]any{"message": msg, "status": status}})
}

// decode reads a JSON body the verifier has already bounded.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, MaxMessage))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	return nil
}

// serveEject is POST PathEject: 200 ejected (or not known here), 423
// while this router uses the instance, 400 for a bad body.
func (n *Network) serveEject(w http.ResponseWriter, r *http.Request) {
	var req ejectRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Service == "" || req.Instance == "" || req.PeriodMS <= 0 {
		writeError(w, http.StatusBadRequest, "service-id, instance-id and a positive period-in-ms are required")
		return
	}
	period := time.Duration(req.PeriodMS) * time.Millisecond
	if err := n.cfg.Local.Eject(req.Service, req.Instance, period, req.Reason); err != nil {
		if errors.Is(err, ErrInUse) {
			writeError(w, http.StatusLocked, err.Error())
			return
		}
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"instance-id": req.Instance, "eject-period": req.PeriodMS,
		"router-id": n.self.ID, "from": peerauth.Caller(r.Context())})
}

// serveKill is POST PathKill: a delegated kill; 200 with the instance
// killed, 404 when this router has no killable instance of the service.
func (n *Network) serveKill(w http.ResponseWriter, r *http.Request) {
	var req killRequest
	if err := decode(r, &req); err != nil || req.Service == "" {
		writeError(w, http.StatusBadRequest, "a JSON body with service-id is required")
		return
	}
	id, err := n.cfg.Local.KillOne(r.Context(), req.Service)
	switch {
	case errors.Is(err, ErrNothingToKill):
		writeError(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeJSON(w, http.StatusOK, killResponse{Instance: id})
	}
}

// serveMetrics is GET PathMetrics?service-id=: this router's counters of
// the service; 404 when it does not know it.
func (n *Network) serveMetrics(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("service-id")
	if id == "" {
		writeError(w, http.StatusBadRequest, "service-id is required")
		return
	}
	c, ok := n.cfg.Local.ServiceCounters(id)
	if !ok {
		writeError(w, http.StatusNotFound, "service not known on router "+n.self.ID)
		return
	}
	writeJSON(w, http.StatusOK, toWire(c))
}

// serveKnows is GET PathKnows?service-id=.
func (n *Network) serveKnows(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("service-id")
	if id == "" {
		writeError(w, http.StatusBadRequest, "service-id is required")
		return
	}
	writeJSON(w, http.StatusOK, knowsResponse{Known: n.cfg.Local.Knows(id)})
}
