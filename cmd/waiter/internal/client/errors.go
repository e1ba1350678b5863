package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an answer of the router that is not a success: its status,
// Waiter's message and the request's correlation id (for the router's
// logs).
type APIError struct {
	Cluster string
	Status  int
	Message string
	CID     string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	s := fmt.Sprintf("%s: %d %s", e.Cluster, e.Status, msg)
	if e.CID != "" {
		s += " (cid " + e.CID + ")"
	}
	return s
}

// UnreachableError means no answer came back: the router is down, the
// URL is wrong, or it did not answer in time.
type UnreachableError struct {
	Cluster, URL string
	Err          error
}

func (e *UnreachableError) Error() string {
	where := e.URL
	if e.Cluster != e.URL {
		where = "cluster " + e.Cluster + " at " + e.URL
	}
	return fmt.Sprintf("cannot reach %s (is the router running, and the URL right?): %v", where, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// apiError reads Waiter's error body ({"waiter-error": {"message": ...}})
// or, failing that, the body's first line.
func apiError(cluster string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Cluster: cluster, Status: status, CID: header.Get("x-cid")}
	var w struct {
		Error struct {
			Message string `json:"message"`
			CID     string `json:"cid"`
		} `json:"waiter-error"`
	}
	if json.Unmarshal(body, &w) == nil && w.Error.Message != "" {
		e.Message = w.Error.Message
		if w.Error.CID != "" {
			e.CID = w.Error.CID
		}
		return e
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	if len(line) > 300 {
		line = line[:300] + "..."
	}
	e.Message = line
	return e
}
