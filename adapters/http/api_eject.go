package waiterhttp

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
)

// Waiter's operator calls on one instance: POST /eject (eject-instance),
// GET /ejected/{service-id} (get-ejected-instances) and POST
// /apps/{id}/instance/{iid}/expire (the expire signal). Waiter lets only
// its routers call /eject; here whoever may maintain the service may.

func (s *Server) instanceOperator() (waiter.InstanceOperator, *Error) {
	op, ok := s.router.(waiter.InstanceOperator)
	if !ok {
		return nil, &Error{Status: http.StatusNotImplemented, Message: "This router cannot eject or expire instances"}
	}
	return op, nil
}

// handleEject is POST /eject with {"instance": {"id", "service-id"},
// "period-in-ms", "reason"}: the instance gets no requests for the period.
// An instance serving requests is refused with 423, as Waiter's responder
// answers in-use.
func (s *Server) handleEject(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	body, herr := readJSONObject(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	inst, _ := body["instance"].(map[string]any)
	iid, _ := inst["id"].(string)
	sid, _ := inst["service-id"].(string)
	reason, _ := body["reason"].(string)
	period, isNum := body["period-in-ms"].(float64)
	if iid == "" || sid == "" || reason == "" || !isNum || period < 0 || period != math.Trunc(period) || period > float64(math.MaxInt32) {
		s.writeError(w, r, badRequest("Must provide the service-id, the instance id, the reason, and a positive period"))
		return
	}
	if herr := s.checkManage(r, sid); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	op, herr := s.instanceOperator()
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	until := s.clock.Now().Add(time.Duration(period) * time.Millisecond)
	if err := op.EjectInstance(sid, iid, until); err != nil {
		if errors.Is(err, waiter.ErrInstanceInUse) {
			writeJSON(w, http.StatusLocked, map[string]any{"message": "Unable to eject instance.", "instance-id": iid, "reason": "in-use"})
			return
		}
		herr := toError(err)
		herr.ServiceID = sid
		s.writeError(w, r, herr)
		return
	}
	s.log.Info("ejected instance", "service-id", sid, "instance", iid, "period-ms", int64(period), "reason", reason)
	writeJSON(w, http.StatusOK, map[string]any{"instance-id": iid, "eject-period": int64(period)})
}

// handleEjected is GET /ejected/{service-id}: the ids of its instances
// ejected now, on this router.
func (s *Server) handleEjected(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	snap, herr := s.lookupService(ps.ByName("id"))
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	ids := []string{}
	for _, in := range snap.Instances {
		if in.Ejected {
			ids = append(ids, in.ID)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ejected-instances": ids})
}

// handleExpireInstance is POST /apps/{id}/instance/{iid}/expire: the
// instance counts as expired, so the autoscaler starts a replacement and
// then retires it.
func (s *Server) handleExpireInstance(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id, iid := ps.ByName("id"), ps.ByName("iid")
	if herr := s.checkManage(r, id); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	op, herr := s.instanceOperator()
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if err := op.ExpireInstance(id, iid); err != nil {
		herr := toError(err)
		herr.ServiceID = id
		s.writeError(w, r, herr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "service-id": id, "instance-id": iid, "signal": "expire"})
}
