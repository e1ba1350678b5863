package h1guard

import (
	"context"
	"net"
	"net/http"
)

// The names a guarded connection kept reach the request's handler
// through contexts: ConnContext (http.Server.ConnContext) puts the
// connection in its context, Handler takes each request's names from it
// and, only when there are some, puts them in the request's context,
// where HeaderNames finds them.

type connKey struct{}

type namesKey struct{}

// ConnContext is an http.Server ConnContext: a guarded connection's
// context knows it.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if gc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connKey{}, gc)
	}
	return ctx
}

// Handler wraps the server's handler: every request on a guarded
// connection is counted, and one that sent x-waiter-* headers carries
// their names as sent. A request without them is passed on as it came,
// without allocating.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(*Conn); ok {
			if names := c.Request(); names != nil {
				r = r.WithContext(context.WithValue(r.Context(), namesKey{}, names))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// HeaderNames returns the x-waiter-* header names of the request whose
// context ctx is, as the client sent them and in its order, or nil when
// not known (HTTP/2, whose names are lower case; TLS, which is not
// guarded; no such headers).
func HeaderNames(ctx context.Context) []string {
	names, _ := ctx.Value(namesKey{}).([]string)
	return names
}
