package waiterhttp

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
)

// Waiter's log URLs (generate-log-url, service-view-logs-handler): GET
// /apps/{id}/logs?instance-id=&host=[&directory=] lists an instance's
// work folder as [{"name", "size", "type": "file"|"directory", "url"}],
// a directory's url listing it in turn, a file's url downloading it
// (/apps/{id}/logs/download?...&path=; Waiter's shell scheduler gives a
// file: URL only its own host can open). Only those who may maintain the
// service may look, and nothing outside the instance's folder can be
// reached (internal/workdir).

func logURL(serviceID, instanceID, host, dir string) string {
	q := url.Values{"instance-id": {instanceID}, "host": {host}}
	if dir != "" {
		q.Set("directory", dir)
	}
	return "/apps/" + url.PathEscape(serviceID) + "/logs?" + q.Encode()
}

func downloadURL(serviceID, instanceID, host, file string) string {
	q := url.Values{"instance-id": {instanceID}, "host": {host}, "path": {file}}
	return "/apps/" + url.PathEscape(serviceID) + "/logs/download?" + q.Encode()
}

// addLogURLs gives every instance of an /apps/{id} answer its log-url.
func addLogURLs(det map[string]any) {
	id, _ := det["service-id"].(string)
	insts, _ := det["instances"].(map[string]any)
	for _, v := range insts {
		list, _ := v.([]map[string]any)
		for _, in := range list {
			iid, _ := in["id"].(string)
			host, _ := in["host"].(string)
			in["log-url"] = logURL(id, iid, host, "")
		}
	}
}

// logRequest checks a logs call: rights, the scheduler's support and
// the instance-id and host parameters.
func (s *Server) logRequest(w http.ResponseWriter, r *http.Request, ps httprouter.Params) (id, iid, host string, ok bool) {
	id = ps.ByName("id")
	if herr := s.checkManage(r, id); herr != nil {
		s.writeError(w, r, herr)
		return "", "", "", false
	}
	if s.cfg.InstanceFiles == nil {
		s.writeError(w, r, &Error{Status: http.StatusNotImplemented, Message: "This scheduler keeps no instance folders the router can read"})
		return "", "", "", false
	}
	q := r.URL.Query()
	iid, host = q.Get("instance-id"), q.Get("host")
	switch {
	case iid == "":
		s.writeError(w, r, badRequest("Missing instance-id parameter"))
		return "", "", "", false
	case host == "":
		s.writeError(w, r, badRequest("Missing host parameter"))
		return "", "", "", false
	}
	return id, iid, host, true
}

func (s *Server) logError(w http.ResponseWriter, r *http.Request, id string, err error) {
	var herr *Error
	switch {
	case errors.Is(err, waiter.ErrBadPath):
		herr = badRequest("Invalid path: it must lie inside the instance's folder")
	case errors.Is(err, waiter.ErrInstanceNotFound):
		herr = &Error{Status: http.StatusNotFound, Message: "Instance not found (or it keeps no folder)"}
	case errors.Is(err, fs.ErrNotExist):
		herr = &Error{Status: http.StatusNotFound, Message: "No such file or directory in the instance's folder"}
	default:
		herr = &Error{Status: http.StatusInternalServerError, Message: "Unable to read the instance's folder", Cause: err}
	}
	herr.ServiceID = id
	s.writeError(w, r, herr)
}

// handleLogs is GET /apps/{id}/logs.
func (s *Server) handleLogs(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id, iid, host, ok := s.logRequest(w, r, ps)
	if !ok {
		return
	}
	entries, err := s.cfg.InstanceFiles.List(id, iid, r.URL.Query().Get("directory"))
	if err != nil {
		s.logError(w, r, id, err)
		return
	}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		m := map[string]any{"name": e.Name, "size": e.Size, "type": "file", "url": downloadURL(id, iid, host, e.Path)}
		if e.Dir {
			m["type"], m["url"] = "directory", logURL(id, iid, host, e.Path)
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleLogDownload is GET /apps/{id}/logs/download: one file of the
// instance's folder, as plain bytes.
func (s *Server) handleLogDownload(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id, iid, _, ok := s.logRequest(w, r, ps)
	if !ok {
		return
	}
	rc, e, err := s.cfg.InstanceFiles.Open(id, iid, r.URL.Query().Get("path"))
	if err != nil {
		s.logError(w, r, id, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.CopyN(w, rc, e.Size) // a file growing meanwhile sends what its size said
	}
}
