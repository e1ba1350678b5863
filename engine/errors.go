package engine

import (
	"fmt"
	"strings"
)

// Code classifies an engine error. Drivers map codes to their own vocabulary:
// adapters/http maps them to HTTP status codes, the simulator counts them.
type Code int

const (
	// CodeInvalid: the request or service description is malformed (HTTP 400).
	CodeInvalid Code = iota + 1
	// CodeNotFound: a named token or service does not exist (HTTP 404).
	CodeNotFound
	// CodeUnavailable: no instance can serve the request now (HTTP 503).
	CodeUnavailable
	// CodeTooMany: the request would take its user past a per-user limit
	// (HTTP 429).
	CodeTooMany
)

func (c Code) String() string {
	switch c {
	case CodeInvalid:
		return "invalid"
	case CodeNotFound:
		return "not-found"
	case CodeUnavailable:
		return "unavailable"
	case CodeTooMany:
		return "too-many"
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Reason says why a request was refused; it is finer grained than Code so
// that metrics and the simulator can tell the causes apart.
type Reason int

const (
	ReasonNone Reason = iota
	// ReasonQueueFull: the service's queue held max-queue-length requests.
	ReasonQueueFull
	// ReasonQueueTimeout: no slot became free within the queue timeout.
	ReasonQueueTimeout
	// ReasonDeploymentError: the service cannot start (bad command, ...).
	ReasonDeploymentError
	// ReasonSuspended: the service was suspended by its owner.
	ReasonSuspended
	// ReasonServiceDeleted: the service was deleted while the request waited.
	ReasonServiceDeleted
	// ReasonInvalidDescription: the request did not describe a valid service.
	ReasonInvalidDescription
	// ReasonUserServiceLimit: the user has the most services allowed.
	ReasonUserServiceLimit
	// ReasonUserInstanceLimit: the service would take its user past the
	// most instances allowed.
	ReasonUserInstanceLimit
)

var reasonNames = [...]string{
	ReasonNone:               "none",
	ReasonQueueFull:          "queue-full",
	ReasonQueueTimeout:       "queue-timeout",
	ReasonDeploymentError:    "deployment-error",
	ReasonSuspended:          "suspended",
	ReasonServiceDeleted:     "service-deleted",
	ReasonInvalidDescription: "invalid-description",
	ReasonUserServiceLimit:   "user-service-limit",
	ReasonUserInstanceLimit:  "user-instance-limit",
}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Error is the engine's error value: a code, a reason and Waiter's message.
type Error struct {
	Code    Code
	Reason  Reason
	Message string
	// Details carries Waiter's diagnostic fields (outstanding-requests,
	// waiting-for-available-instance, service-id, ...) in a stable order.
	Details []Detail
}

// Detail is one named diagnostic value attached to an Error.
type Detail struct {
	Key   string
	Value string
}

func (e *Error) Error() string { return e.Message }

// FieldError names one violated rule of one service parameter.
type FieldError struct {
	Field string // Waiter's parameter name, e.g. "max-instances"
	Rule  string // short rule name, e.g. "range", "type", "required"
	// Message is a sentence a user can act on.
	Message string
}

func (f FieldError) String() string { return f.Field + ": " + f.Message }

// ValidationError reports every violation found in a service description.
// Its Code is always CodeInvalid.
type ValidationError struct {
	// Summary is Waiter's headline, e.g. "Service description using waiter
	// headers/token improperly configured".
	Summary string
	Fields  []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Summary)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Code returns CodeInvalid; it lets callers treat both error types alike.
func (e *ValidationError) Code() Code { return CodeInvalid }

// Has reports whether the error names the given field.
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Messages Waiter uses, kept here so every driver prints the same words.
const (
	MsgMaxQueueLength        = "Max queue length exceeded"
	MsgSuspended             = "Service has been suspended"
	MsgDeploymentErrorPrefix = "Deployment error: "
	MsgInvalidDescription    = "Service description using waiter headers/token improperly configured"
	MsgCannotIdentify        = "Unable to identify service using waiter headers/token"
	MsgStartProperly         = " Check that your service is able to start properly!"
	MsgScaleProperly         = " Check that your service is able to scale properly!"
	MsgServiceDeleted        = "Service was deleted while the request waited for an instance"
)
