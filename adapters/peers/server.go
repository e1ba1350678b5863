package peers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/waiter-go/waiter/internal/peerauth"
)

// Handler serves the inter-router endpoints (paths under Prefix); every
// request must carry a valid signature (401 otherwise).
func (n *Network) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathSync, n.serveSync)
	mux.HandleFunc("POST "+PathEject, n.serveEject)
	mux.HandleFunc("POST "+PathKill, n.serveKill)
	mux.HandleFunc("POST "+PathOffer, n.serveOffer)
	mux.HandleFunc("POST "+PathRelease, n.serveRelease)
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
	if req.Service == "" || req.Instance == "" {
		writeError(w, http.StatusBadRequest, "service-id and instance-id are required")
		return
	}
	from := peerauth.Caller(r.Context())
	if err := n.cfg.Local.Eject(from, req.Service, req.Instance, req.Reason); err != nil {
		if errors.Is(err, ErrInUse) {
			writeError(w, http.StatusLocked, err.Error())
			return
		}
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"instance-id": req.Instance, "router-id": n.self.ID})
}

// serveKill is POST PathKill: the leader's delegated kill; 200 with the
// instance it may kill, 404 when this router has none.
func (n *Network) serveKill(w http.ResponseWriter, r *http.Request) {
	var req killRequest
	if err := decode(r, &req); err != nil || req.Service == "" {
		writeError(w, http.StatusBadRequest, "a JSON body with service-id is required")
		return
	}
	id, err := n.cfg.Local.KillCandidate(r.Context(), peerauth.Caller(r.Context()), req.Service)
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

// serveOffer is POST PathOffer: a peer lends a slot (202; the answer comes
// later as a call to the peer's PathRelease).
func (n *Network) serveOffer(w http.ResponseWriter, r *http.Request) {
	var m slotMessage
	if err := decode(r, &m); err != nil || m.Service == "" || m.Instance == "" {
		writeError(w, http.StatusBadRequest, "a JSON body with service-id and instance-id is required")
		return
	}
	n.cfg.Local.SlotOffered(peerauth.Caller(r.Context()), m.Service, m.Instance)
	writeJSON(w, http.StatusAccepted, map[string]any{"router-id": n.self.ID})
}

// serveRelease is POST PathRelease: a peer gives back a slot it was lent.
func (n *Network) serveRelease(w http.ResponseWriter, r *http.Request) {
	var m slotMessage
	if err := decode(r, &m); err != nil || m.Service == "" || m.Instance == "" {
		writeError(w, http.StatusBadRequest, "a JSON body with service-id and instance-id is required")
		return
	}
	o, ok := outcomes[m.Outcome]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("response-status %q is not one of success, client-error, instance-error, instance-busy", m.Outcome))
		return
	}
	n.cfg.Local.SlotReleased(peerauth.Caller(r.Context()), m.Service, m.Instance, o)
	writeJSON(w, http.StatusOK, map[string]any{"router-id": n.self.ID})
}
