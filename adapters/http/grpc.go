package waiterhttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// gRPC over the router (Waiter's grpc handling in process_request.clj and
// utils.clj): a gRPC call is an HTTP/2 request with Content-Type
// application/grpc. The router proxies it like any request (trailers and
// streams both ways included) and, where Waiter does, speaks gRPC back:
// its own errors carry grpc-status and grpc-message with an empty body,
// grpc-timeout bounds the wait in the queue, and a backend's UNAVAILABLE
// ejects the instance like a 503.

// gRPC status codes the router uses (google.golang.org/grpc/codes).
const (
	grpcInvalidArgument  = "3"
	grpcDeadlineExceeded = "4"
	grpcPermissionDenied = "7"
	grpcInternal         = "13"
	grpcUnavailable      = "14"
	grpcUnauthenticated  = "16"
)

// isGRPC reports a gRPC call (hu/grpc?): HTTP/2 and a gRPC content type.
func isGRPC(r *http.Request) bool {
	if r.ProtoMajor != 2 {
		return false
	}
	ct := r.Header.Get("Content-Type")
	return ct == "application/grpc" || strings.HasPrefix(ct, "application/grpc+") || strings.HasPrefix(ct, "application/grpc;")
}

// grpcStatusOf is the gRPC status standing for a router error's HTTP
// status, with the message to use when the error has none
// (add-grpc-status-headers); ok is false for statuses Waiter maps to none.
func grpcStatusOf(status int) (code, fallback string, ok bool) {
	switch status {
	case http.StatusBadRequest:
		return grpcInvalidArgument, "Bad Request", true
	case http.StatusUnauthorized:
		return grpcUnauthenticated, "Unauthorized", true
	case http.StatusForbidden:
		return grpcPermissionDenied, "Permission Denied", true
	case http.StatusTooManyRequests:
		return grpcUnavailable, "Too Many Requests", true
	case http.StatusInternalServerError:
		return grpcInternal, "Internal Server Error", true
	case http.StatusBadGateway:
		return grpcUnavailable, "Bad Gateway", true
	case http.StatusServiceUnavailable:
		return grpcUnavailable, "Service Unavailable", true
	case http.StatusGatewayTimeout:
		return grpcDeadlineExceeded, "Gateway Timeout", true
	}
	return "", "", false
}

// writeGRPCError answers a gRPC call with a router error: Waiter's HTTP
// status, Content-Type application/grpc, grpc-status and grpc-message,
// and no body, so the headers end the stream ("Trailers-Only") and gRPC
// clients read the status (and may retry) instead of failing to parse an
// error page as a message.
func (s *Server) writeGRPCError(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/grpc")
	h.Set("Server", s.serverHeader())
	h.Del("Content-Length")
	if code, fallback, ok := grpcStatusOf(e.Status); ok {
		msg := e.Message
		if msg == "" {
			msg = fallback
		}
		h.Set("grpc-status", code)
		h.Set("grpc-message", encodeGRPCMessage(strings.ReplaceAll(msg, "\n", "; ")))
	}
	w.WriteHeader(e.Status)
}

// encodeGRPCMessage percent-encodes a grpc-message value as the gRPC
// HTTP/2 protocol requires: every byte outside printable ASCII, and '%'.
func encodeGRPCMessage(msg string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c >= ' ' && c <= '~' && c != '%' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// grpcQueueSlack is added to a call's grpc-timeout so the client's own
// deadline fires before the router gives up (retrieve-grpc-timeout-ms).
const grpcQueueSlack = 100 * time.Millisecond

// parseGRPCTimeout reads a grpc-timeout header: at most 8 digits and a
// unit, H, M, S, m (milliseconds), u or n (timeout-value->millis).
func parseGRPCTimeout(v string) (time.Duration, bool) {
	if len(v) < 2 || len(v) > 9 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	var unit time.Duration
	switch v[len(v)-1] {
	case 'H':
		unit = time.Hour
	case 'M':
		unit = time.Minute
	case 'S':
		unit = time.Second
	case 'm':
		unit = time.Millisecond
	case 'u':
		unit = time.Microsecond
	case 'n':
		unit = time.Nanosecond
	default:
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// grpcQueueTimeout is the queue timeout of a gRPC call whose client set a
// deadline and no x-waiter-queue-timeout: the deadline plus the slack,
// capped like every request timeout.
func grpcQueueTimeout(r *http.Request, rs *resolved) (time.Duration, bool) {
	if rs.headers.Request.QueueTimeout > 0 || !isGRPC(r) {
		return 0, false
	}
	v := r.Header.Get("grpc-timeout")
	if v == "" {
		return 0, false
	}
	d, ok := parseGRPCTimeout(v)
	if !ok {
		return 0, false
	}
	return min(d+grpcQueueSlack, maxTimeout), true
}
