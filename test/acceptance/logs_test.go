package acceptance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type logEntry struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Waiter's log URLs: /apps/{id} gives each instance a log-url listing its
// work folder (the shell scheduler's <data-dir>/scheduler/<service>/
// <instance>); files download, directories list; nothing outside the
// folder is reachable; a user who may not maintain the service may not
// look.
func TestInstanceLogs(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)

	det := rt.serviceSettings(t, id, nil)
	active, _ := nested(det.raw, "instances", "active-instances").([]any)
	if len(active) != 1 {
		t.Fatalf("active instances %v", active)
	}
	logURL, _ := active[0].(map[string]any)["log-url"].(string)
	iid, _ := active[0].(map[string]any)["id"].(string)
	if !strings.HasPrefix(logURL, "/apps/"+id+"/logs?") || !strings.Contains(logURL, "instance-id="+url.QueryEscape(iid)) {
		t.Fatalf("log-url %q", logURL)
	}
	r := rt.get(logURL)
	expectStatus(t, r, http.StatusOK)
	var entries []logEntry
	r.json(t, &entries)
	var file *logEntry
	for i, e := range entries {
		if e.Type == "file" && e.Size > 0 {
			file = &entries[i]
		}
	}
	if file == nil {
		t.Fatalf("no non-empty file in the instance's folder: %+v", entries)
	}
	d := rt.get(file.URL)
	expectStatus(t, d, http.StatusOK)
	if int64(len(d.Body)) < file.Size {
		t.Errorf("%s: %d bytes, listed as %d", file.Name, len(d.Body), file.Size)
	}

	q := url.Values{"instance-id": {iid}, "host": {"127.0.0.1"}}
	for _, bad := range []string{"directory=..", "directory=%2Fetc", "directory=..%2F.."} {
		expectStatus(t, rt.get("/apps/"+id+"/logs?"+q.Encode()+"&"+bad), http.StatusBadRequest)
	}
	for _, bad := range []string{"path=..%2F..%2Fwaiter.db", "path=%2Fetc%2Fpasswd", "path=..%2F" + url.QueryEscape(iid)} {
		expectStatus(t, rt.get("/apps/"+id+"/logs/download?"+q.Encode()+"&"+bad), http.StatusBadRequest)
	}
	expectStatus(t, rt.get("/apps/"+id+"/logs?host=h"), http.StatusBadRequest)
	expectStatus(t, rt.get("/apps/"+id+"/logs?instance-id=..&host=h"), http.StatusNotFound)
	other := map[string]string{"Authorization": bearerFor(t, "mallory")}
	expectStatus(t, rt.request(http.MethodGet, logURL, other, nil), http.StatusForbidden)
	expectStatus(t, rt.request(http.MethodGet, file.URL, other, nil), http.StatusForbidden)
}
