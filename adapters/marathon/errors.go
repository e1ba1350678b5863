package marathon

import (
	"errors"
	"fmt"

	gomarathon "github.com/gambol99/go-marathon"
)

// Errors the Scheduler wraps, so callers can tell what happened with
// errors.Is.
var (
	// ErrUnavailable: Marathon could not be reached or answered 5xx.
	ErrUnavailable = errors.New("marathon is unavailable")
	// ErrConflict: a deployment locks the app (409).
	ErrConflict = errors.New("app is locked by a deployment")
	// ErrServiceNotFound: Marathon has no app for the service.
	ErrServiceNotFound = errors.New("service not found")
	// ErrInstanceNotFound: the app has no such task.
	ErrInstanceNotFound = errors.New("instance not found")
	// ErrInvalidService: Marathon (422) or this adapter refused the
	// service's definition.
	ErrInvalidService = errors.New("invalid service")
	// ErrClosed: the scheduler was shut down.
	ErrClosed = errors.New("scheduler closed")
)

// wrap names the call and classifies err; notFound is the sentinel a 404
// means for this call.
func wrap(call string, err error, notFound error) error {
	if err == nil {
		return nil
	}
	var kind error
	var api *gomarathon.APIError
	switch {
	case errors.Is(err, gomarathon.ErrMarathonDown):
		kind = ErrUnavailable
	case errors.As(err, &api):
		switch api.ErrCode {
		case gomarathon.ErrCodeNotFound:
			kind = notFound
		case gomarathon.ErrCodeAppLocked, gomarathon.ErrCodeDuplicateID:
			kind = ErrConflict
		case gomarathon.ErrCodeInvalidBean, gomarathon.ErrCodeBadRequest:
			kind = ErrInvalidService
		case gomarathon.ErrCodeServer:
			kind = ErrUnavailable
		}
	case errors.Is(err, gomarathon.ErrInvalidResponse):
		kind = ErrUnavailable
	}
	if kind == nil {
		return fmt.Errorf("marathon: %s: %w", call, err)
	}
	return fmt.Errorf("marathon: %s: %w: %w", call, kind, err)
}
