package kubernetes

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Errors the Scheduler wraps, so callers can tell what happened with
// errors.Is.
var (
	// ErrUnavailable: the API server could not be reached, answered 5xx
	// or 429, or the watches have not caught up yet.
	ErrUnavailable = errors.New("kubernetes api server is unavailable")
	// ErrConflict: the ReplicaSet kept changing under a replica update.
	ErrConflict = errors.New("replicaset changed concurrently")
	// ErrServiceNotFound: no ReplicaSet for the service.
	ErrServiceNotFound = errors.New("service not found")
	// ErrInstanceNotFound: no such pod (or it is terminating already).
	ErrInstanceNotFound = errors.New("instance not found")
	// ErrInvalidService: the API server or this adapter refused the
	// service's ReplicaSet.
	ErrInvalidService = errors.New("invalid service")
	// ErrClosed: the scheduler was shut down.
	ErrClosed = errors.New("scheduler closed")
)

// wrap names the call and classifies err; notFound is the sentinel a 404
// means for this call. The API server's own message is kept: Waiter
// shows it as the deployment error of a refused create.
func wrap(call string, err error, notFound error) error {
	if err == nil {
		return nil
	}
	var kind error
	switch {
	case apierrors.IsNotFound(err):
		kind = notFound
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		kind = ErrConflict
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err), apierrors.IsForbidden(err):
		kind = ErrInvalidService
	case apierrors.IsTooManyRequests(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err), apierrors.IsUnexpectedServerError(err):
		kind = ErrUnavailable
	default:
		var status apierrors.APIStatus
		if !errors.As(err, &status) {
			kind = ErrUnavailable // no answer: connection refused, reset, timeout
		}
	}
	if kind == nil {
		return fmt.Errorf("kubernetes: %s: %w", call, err)
	}
	return fmt.Errorf("kubernetes: %s: %w: %w", call, kind, err)
}
