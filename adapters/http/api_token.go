package waiterhttp

import (
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// tokenName reads the token a /token call is about: ?token=, else the
// x-waiter-token header, else the Host when it is not one of the router's
// own names (reference section 6; Waiter's clients name the token by Host).
func (s *Server) tokenName(r *http.Request) string {
	if t := strings.TrimSpace(r.URL.Query().Get("token")); t != "" {
		return t
	}
	if t := strings.TrimSpace(r.Header.Get(hdrToken)); t != "" {
		return t
	}
	return s.cls.hostToken(r)
}

// ifMatch reads If-Match, tolerating the quotes of a strong ETag.
func ifMatch(r *http.Request) string {
	return strings.Trim(strings.TrimSpace(r.Header.Get("If-Match")), `"`)
}

// handleGetToken is GET /token: the token's parameters and user metadata,
// with system metadata (and the previous versions) under include=metadata
// and soft-deleted tokens under include=deleted. Env values, in every
// version, are hidden from those who may not write the token or run as it.
func (s *Server) handleGetToken(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	name := s.tokenName(r)
	if name == "" {
		s.writeError(w, r, badRequest("Must provide the token"))
		return
	}
	if herr := checkTokenLookup(name); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	include := includes(r.URL.Query()["include"])
	t, err := s.store.GetToken(name, include["deleted"])
	if errors.Is(err, waiter.ErrTokenNotFound) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "Couldn't find token " + name, Cause: err})
		return
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	mask := func(m map[string]any) map[string]any { return m }
	if !s.mayReadToken(p.User, t.Data) {
		mask = maskEnv
	}
	body := make(map[string]any, len(t.Data))
	for k, v := range mask(t.Data) {
		if include["metadata"] || !engine.IsSystemTokenKey(k) {
			body[k] = v
		}
	}
	if include["metadata"] {
		// Waiter shows "previous": {} for a token without history.
		body["previous"] = map[string]any{}
		if prev := s.previousChain(name, mask); prev != nil {
			body["previous"] = prev
		}
	}
	w.Header().Set("Etag", t.ETag)
	writeJSON(w, http.StatusOK, inKeyOrder(body, t.KeyOrder))
}

// previousChain rebuilds Waiter's nested "previous" field from the store's
// history list (newest first), each version passed through mask.
func (s *Server) previousChain(name string, mask func(map[string]any) map[string]any) map[string]any {
	hist, err := s.store.TokenHistory(name)
	if err != nil || len(hist) == 0 {
		return nil
	}
	var prev map[string]any
	for i := len(hist) - 1; i >= 0; i-- {
		d := maps.Clone(mask(hist[i].Data))
		if prev != nil {
			d["previous"] = prev
		}
		prev = d
	}
	return prev
}

// handlePostToken is POST /token: create or update a token from a JSON
// body (reference 7.3, 7.4).
func (s *Server) handlePostToken(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	user := p.User
	data, body, herr := readJSONObjectBody(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	// Waiter's service ids depend on the posted order of env and metadata
	// keys (engine.KeyOrder); the body already decoded, so this cannot fail.
	//
	// Tokens stored before the order was kept have none, and resolve with
	// sorted keys: the ids their services already run under. That holds
	// until the token is written again: this write records the order
	// posted now (as Waiter, whose token hash and service id follow the
	// posted document), or, when it is the sorted order, records nothing
	// (Minimal), so posting the same token again in sorted order is no
	// change at all (same ETag, same id) and only a different order makes
	// a new version and a new id. No id changes without a write.
	order, _ := engine.JSONKeyOrder(body)
	order = order.Minimal()
	name := r.URL.Query().Get("token")
	if bodyName, ok := data["token"].(string); ok && name == "" {
		name = bodyName
	}
	delete(data, "token")
	owner, damaged, herr := s.checkTokenWrite(r, user, name, data)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if herr := s.checkTokenLimit(r, owner, name); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	data["owner"] = owner
	s.addClusterMetadata(name, data)
	var t waiter.Token
	var res waiter.TokenResult
	var err error
	if damaged {
		// An admin overwrites a damaged token: its ETag cannot be known,
		// so no If-Match is asked; the store checks it is still damaged.
		t, res, err = s.store.ReplaceDamagedToken(name, data, user, s.clock.Now())
	} else {
		if o, ok := s.store.(waiter.OrderedTokenPutter); ok {
			t, res, err = o.PutTokenInOrder(name, data, order, ifMatch(r), user, s.clock.Now())
		} else {
			t, res, err = s.store.PutToken(name, data, ifMatch(r), user, s.clock.Now())
		}
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	msg := map[waiter.TokenResult]string{waiter.TokenCreated: "Successfully created ", waiter.TokenUpdated: "Successfully updated ",
		waiter.TokenNoOp: "No changes detected for "}[res] + name
	svc, _, _ := engine.SplitTokenData(t.Data)
	w.Header().Set("Etag", t.ETag)
	w.Header().Set(hdrOperationResult, string(res))
	writeJSON(w, http.StatusOK, map[string]any{"message": msg, "service-description": svc})
}

// addClusterMetadata sets Waiter's system metadata "cluster" (the cluster
// this write happened in) and "root" (the cluster that created the token,
// kept across updates); an admin-mode write may carry its own.
func (s *Server) addClusterMetadata(name string, data map[string]any) {
	if _, ok := data["cluster"]; !ok {
		data["cluster"] = s.cfg.Cluster
	}
	if _, ok := data["root"]; ok {
		return
	}
	data["root"] = s.cfg.Cluster
	if cur, err := s.store.GetToken(name, false); err == nil {
		if root, ok := cur.Data["root"].(string); ok && root != "" {
			data["root"] = root
		}
	}
}

// handleDeleteToken is DELETE /token: soft delete by default, hard delete
// (removing history) with hard-delete=true, which needs If-Match unless
// the token is already soft-deleted.
func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	user := p.User
	name := s.tokenName(r)
	if name == "" {
		s.writeError(w, r, badRequest("Must provide the token"))
		return
	}
	if herr := checkTokenLookup(name); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	hard := r.URL.Query().Get("hard-delete") == "true"
	cur, err := s.store.GetToken(name, true)
	if errors.Is(err, waiter.ErrTokenNotFound) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "Token " + name + " does not exist", Cause: err})
		return
	}
	if errors.Is(err, waiter.ErrCorruptRecord) && hard && s.auth.IsAdmin(user) {
		s.hardDeleteDamagedToken(w, r, name, user)
		return
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	owner, _ := cur.Data["owner"].(string)
	if !s.auth.CanManage(user, owner) && !s.auth.IsAdmin(user) {
		s.writeError(w, r, &Error{Status: http.StatusForbidden,
			Message: "User " + user + " not allowed to delete token " + name + ": only its owner (" + owner + ") or an admin may",
			Details: map[string]any{"user": user, "owner": owner}})
		return
	}
	if hard && !s.auth.IsAdmin(user) {
		s.writeError(w, r, &Error{Status: http.StatusForbidden,
			Message: "Cannot hard-delete token " + name + ": hard deletes are for the router's admins, and " + user + " is not one",
			Details: map[string]any{"user": user}})
		return
	}
	t, err := s.store.DeleteToken(name, hard, ifMatch(r), user, s.clock.Now())
	if errors.Is(err, waiter.ErrTokenNotFound) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "Token " + name + " does not exist", Cause: err})
		return
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	if !hard {
		w.Header().Set("Etag", t.ETag)
	}
	w.Header().Set(hdrOperationResult, string(waiter.TokenDeleted))
	writeJSON(w, http.StatusOK, map[string]any{"delete": name, "hard-delete": hard, "success": true})
}

// handleListTokens is GET /tokens: the token index, optionally by owner.
func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	q := r.URL.Query()
	include := includes(q["include"])
	var owners []string
	for _, o := range q["owner"] {
		for _, part := range strings.Split(o, ",") {
			if part = strings.TrimSpace(part); part != "" {
				owners = append(owners, part)
			}
		}
	}
	filter := waiter.TokenFilter{Owners: owners, IncludeDeleted: include["deleted"]}
	if q.Get("watch") == "true" {
		s.watchTokens(w, r, filter, include) // tokens_watch.go
		return
	}
	list, err := s.store.ListTokens(filter)
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	out := make([]map[string]any, 0, len(list))
	for _, t := range list {
		out = append(out, tokenEntry(t, include))
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenEntry is a token as /tokens lists it (Waiter's token index entry).
func tokenEntry(t waiter.Token, include map[string]bool) map[string]any {
	owner, _ := t.Data["owner"].(string)
	e := map[string]any{"token": t.Name, "owner": owner, "etag": t.ETag,
		"maintenance": maintenanceMessage(t.Data) != ""}
	if include["deleted"] {
		e["deleted"] = t.Deleted
	}
	if include["metadata"] {
		for _, k := range []string{"last-update-time", "last-update-user", "root", "cluster"} {
			if v, ok := t.Data[k]; ok {
				e[k] = v
			}
		}
	}
	return e
}

// handleTokenOwners is GET /tokens/owners: each owner's token names.
func (s *Server) handleTokenOwners(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	list, err := s.store.ListTokens(waiter.TokenFilter{IncludeDeleted: true})
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	out := map[string][]string{}
	for _, t := range list {
		owner, _ := t.Data["owner"].(string)
		out[owner] = append(out[owner], t.Name)
	}
	writeJSON(w, http.StatusOK, out)
}
