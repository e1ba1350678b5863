package loopfront

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// Edge is what the loops ask of the router's HTTP edge
// (waiterhttp.Server).
type Edge interface {
	NewLoopDecisions() *waiterhttp.LoopDecisions
	NewLoopCall(d *waiterhttp.LoopDecisions) *waiterhttp.LoopCall
	// LoopRoutable is waiterhttp.Server.LoopRoutable, with the head's
	// header lines in wire order (h1serve.Head.Fields).
	LoopRoutable(r *http.Request, fields []h1serve.Field) bool
	ConnContext(ctx context.Context) context.Context
}

// Config configures a Front.
type Config struct {
	// Loops is the number of event loops (default: one per CPU the
	// runtime uses).
	Loops int
	// ReadHeaderTimeout bounds receiving a request's head from its first
	// byte; IdleTimeout a keep-alive connection's wait for its next
	// request. Zero: none.
	ReadHeaderTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds a head the loop holds; a larger one goes to
	// the goroutine front, which refuses it.
	MaxHeaderBytes int
	// Handoff serves a connection the loops give up, from the bytes
	// already read from it (pending) on: the goroutine front.
	Handoff func(c net.Conn, pending []byte)
	// AcceptFailed hears, on a goroutine of its own, that the listener
	// the loops accepted from (Front.Listen) failed: they accept from it
	// no more, as net/http's server stops serving when Accept fails.
	AcceptFailed func(err error)
	// Logger hears of a panic a loop contained, with its stack (nil:
	// none); Contained, when set, is called for each (the edge's panic
	// counter, waiterhttp.Server.CountPanic).
	Logger    *slog.Logger
	Contained func()
}
