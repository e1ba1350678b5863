package waiterhttp

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Error is an answer the router gives itself rather than passing on the
// backend's: a status, Waiter's message and diagnostic details. It is the
// one place where engine codes and store errors meet HTTP statuses.
type Error struct {
	Status  int
	Message string
	// ServiceID names the service the request was for, when known.
	ServiceID string
	// Details are extra diagnostic fields (rendered under "details").
	Details map[string]any
	// Cause is the underlying error, for logs; it is not shown to clients.
	Cause error
	// Challenges are www-authenticate values sent with a 401.
	Challenges []string
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return strconv.Itoa(e.Status) + " " + e.Message + ": " + e.Cause.Error()
	}
	return strconv.Itoa(e.Status) + " " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// statusOf maps an engine error code to Waiter's status.
func statusOf(c engine.Code) int {
	switch c {
	case engine.CodeInvalid:
		return http.StatusBadRequest
	case engine.CodeNotFound:
		return http.StatusNotFound
	case engine.CodeUnavailable:
		return http.StatusServiceUnavailable
	case engine.CodeTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fromEngine converts an engine refusal.
func fromEngine(err *engine.Error, serviceID string) *Error {
	e := &Error{Status: statusOf(err.Code), Message: err.Message, ServiceID: serviceID, Cause: err}
	if len(err.Details) > 0 {
		e.Details = make(map[string]any, len(err.Details))
		for _, d := range err.Details {
			if d.Key == "service-id" && e.ServiceID == "" {
				e.ServiceID = d.Value
			}
			if n, convErr := strconv.Atoi(d.Value); convErr == nil {
				e.Details[d.Key] = n
			} else {
				e.Details[d.Key] = d.Value
			}
		}
		e.Details["reason"] = err.Reason.String()
	}
	return e
}

// fromValidation converts a description that broke rules: 400 naming every
// violated field, so a user fixes them all in one go.
func fromValidation(v *engine.ValidationError) *Error {
	fields := make([]map[string]string, 0, len(v.Fields))
	msg := v.Summary
	for i, f := range v.Fields {
		fields = append(fields, map[string]string{"field": f.Field, "rule": f.Rule, "message": f.Message})
		if i == 0 {
			msg += ": "
		} else {
			msg += "; "
		}
		msg += f.String()
	}
	e := &Error{Status: http.StatusBadRequest, Message: msg, Cause: v}
	if len(fields) > 0 {
		e.Details = map[string]any{"fields": fields}
	}
	return e
}

// toError turns any error into the answer a client gets: engine and
// validation errors keep their codes, the domain's errors (package waiter:
// the stores' and the router's) get Waiter's statuses,
// anything else is a 500 whose cause stays in the logs.
func toError(err error) *Error {
	var he *Error
	var ee *engine.Error
	var ve *engine.ValidationError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &ve):
		return fromValidation(ve)
	case errors.As(err, &ee):
		return fromEngine(ee, "")
	case errors.Is(err, waiter.ErrPreconditionFailed):
		return &Error{Status: http.StatusPreconditionFailed, Message: "Cannot modify stale token", Cause: err}
	case errors.Is(err, waiter.ErrIfMatchRequired):
		return &Error{Status: http.StatusBadRequest, Message: "Must specify if-match header for token hard deletes", Cause: err}
	case errors.Is(err, waiter.ErrTokenNotFound):
		return &Error{Status: http.StatusNotFound, Message: "Token not found", Cause: err}
	case errors.Is(err, waiter.ErrServiceNotFound):
		return &Error{Status: http.StatusNotFound, Message: "Service not found", Cause: err}
	case errors.Is(err, waiter.ErrInvalidTokenData):
		return &Error{Status: http.StatusBadRequest, Message: err.Error(), Cause: err}
	case errors.Is(err, waiter.ErrCorruptRecord):
		// No Cause: the store logs each damaged record once, and a
		// request per second for a damaged token must not log as often.
		// The record's own error names it and the damage; what wraps it
		// (the store's operation) adds nothing a client can use.
		detail := err.Error()
		var cr *waiter.CorruptRecordError
		if errors.As(err, &cr) {
			detail = cr.Error()
		}
		return &Error{Status: http.StatusInternalServerError,
			Message: "The store holds a damaged record and does not serve it: " + detail}
	case errors.Is(err, waiter.ErrStoreFull):
		return &Error{Status: http.StatusInsufficientStorage,
			Message: "Insufficient Storage: the token store's disk is full; nothing was written", Cause: err}
	case errors.Is(err, waiter.ErrStoreReadOnly):
		return &Error{Status: http.StatusServiceUnavailable,
			Message: "The token store is read-only; nothing was written", Cause: err}
	case errors.Is(err, waiter.ErrStoreUnavailable):
		// The wrapping text names the backend (ZooKeeper) and its servers.
		return &Error{Status: http.StatusServiceUnavailable, Message: "Service Unavailable: " + err.Error(), Cause: err}
	case errors.Is(err, waiter.ErrInstanceNotFound):
		return &Error{Status: http.StatusNotFound, Message: "Instance not found", Cause: err}
	case errors.Is(err, waiter.ErrInstanceBeingKilled):
		return &Error{Status: http.StatusConflict, Message: "Instance is already being killed", Cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Message: "Internal error", Cause: err}
}

func badRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: msg}
}

func notFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Message: msg}
}
