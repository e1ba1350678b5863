package fakemarathon

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error answer: {"message": ..., "details": [...]} on 400
// and 422, plus "deployments" on a 409 lock (MarathonExceptionMapper).
type apiError struct {
	status      int
	msg         string
	details     []detail
	deployments []string
}

type detail struct {
	Path   string   `json:"path"`
	Errors []string `json:"errors"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

func appNotFound(id string) *apiError { return notFound("App '/%s' does not exist", id) }

// locked is Marathon's AppLockedException answer.
func locked(deployments ...string) *apiError {
	msg := "App is locked by one or more deployments. Override with the option '?force=true'."
	if len(deployments) > 0 {
		msg += " View details at '/v2/deployments/" + deployments[0] + "'."
	}
	return &apiError{status: http.StatusConflict, msg: msg, deployments: deployments}
}

func invalid(details []detail) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, msg: "Object is not valid", details: details}
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"message": e.msg}
	if e.details != nil {
		body["details"] = e.details
	}
	if e.deployments != nil {
		ds := make([]map[string]string, len(e.deployments))
		for i, id := range e.deployments {
			ds[i] = map[string]string{"id": id}
		}
		body["deployments"] = ds
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a bug gets here; a 4xx keeps go-marathon's host up.
		status, b = http.StatusBadRequest, []byte(`{"message":"the simulated Marathon could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newUUID returns a random (version 4) UUID, as Marathon's ids are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
