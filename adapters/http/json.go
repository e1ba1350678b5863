package waiterhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// readJSONObject decodes a JSON object body (numbers as float64, as the
// engine's parameter values expect).
func readJSONObject(r *http.Request) (map[string]any, *Error) {
	m, _, herr := readJSONObjectBody(r)
	return m, herr
}

// readJSONObjectBody is readJSONObject that also returns the body read.
func readJSONObjectBody(r *http.Request) (map[string]any, []byte, *Error) {
	// ServeHTTP bounds the body in size and time (guard.go).
	body, err := io.ReadAll(r.Body)
	if herr := bodyError(err); herr != nil {
		return nil, nil, herr
	}
	if err != nil {
		return nil, nil, &Error{Status: http.StatusBadRequest, Message: "Unable to read request body", Cause: err}
	}
	m, herr := decodeJSONObject(body)
	return m, body, herr
}

func decodeJSONObject(body []byte) (map[string]any, *Error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return nil, badRequest("Request body must be a JSON object")
		case errors.As(err, &syn):
			return nil, &Error{Status: http.StatusBadRequest, Message: "Malformed JSON in request body: " + syn.Error(), Cause: err}
		}
		return nil, &Error{Status: http.StatusBadRequest, Message: "Malformed JSON in request body", Cause: err}
	}
	if m == nil {
		return nil, badRequest("Request body must be a JSON object")
	}
	return m, nil
}
