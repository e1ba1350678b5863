package waiterhttp

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"reflect"
	"time"

	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/strarena"
)

// reqInfo is what the router remembers about one request while it runs:
// its correlation id, when it arrived and whether the client asked for
// debug headers.
type reqInfo struct {
	cid   string
	start time.Time
	debug bool
	// principal is the authenticated caller, once known (Server.caller).
	principal *Principal
	// principalValue is what principal points to, once set by caller.
	principalValue Principal
	// header is the response's header map, where a successful login
	// leaves its x-waiter-auth cookie (nil outside ServeHTTP).
	header http.Header
	// proxied is what the proxy learned about the request's service and
	// instance (nil for API calls), for the access log.
	proxied *proxied
	cids    [1]string // cidValues' array
	// api is ServeHTTP's classification of the request (apiKnown: made),
	// kept for the handlers that ask again (isAPIRequest).
	api, apiKnown bool
	// scratch is the connection's, when its requests come one at a time
	// (ConnContext), else nil.
	scratch *connScratch
	// fields are the request's header lines in wire order, from a front
	// that has them (requestFielder), and fieldsOf the header map they
	// are the lines of (wireFields).
	fields   []h1serve.Field
	fieldsOf http.Header
}

// requestFielder is a ResponseWriter that has its request's header lines
// in wire order (internal/h1serve's, for a head its fast parser read).
type requestFielder interface {
	RequestFields() []h1serve.Field
}

// wireFields are ri's header lines in wire order when they are the lines
// of h (the header the proxy forwards), else nil: a request whose header
// is another map than the one the front parsed is walked as a map.
func (ri *reqInfo) wireFields(h http.Header) []h1serve.Field {
	if ri.fields == nil || reflect.ValueOf(ri.fieldsOf).UnsafePointer() != reflect.ValueOf(h).UnsafePointer() {
		return nil
	}
	return ri.fields
}

// isAPIRequest is c.isAPI(r), as ServeHTTP decided it when it did.
func isAPIRequest(c classifier, r *http.Request) bool {
	if ri := info(r); ri.apiKnown {
		return ri.api
	}
	return c.isAPI(r)
}

// cidValues is the x-cid header value of the request's answers: one
// slice for the request (len and cap 1, so an append copies it).
func (ri *reqInfo) cidValues() []string {
	if ri.cids[0] != ri.cid || ri.cid == "" {
		return []string{ri.cid}
	}
	return ri.cids[:]
}

type infoKey struct{}

// withInfo attaches a reqInfo to r, reusing the client's x-cid (Waiter's
// correlation-id-middleware echoes it) or making a fresh one.
func withInfo(r *http.Request, now time.Time) (*http.Request, *reqInfo) {
	var cid string
	if v := r.Header[canonCID]; len(v) > 0 {
		cid = v[0]
	}
	if cid == "" {
		cid = newCID()
	}
	_, debug := r.Header[canonDebug]
	ri := reqInfo{cid: cid, start: now, debug: debug, cids: [1]string{cid}}
	if ic, ok := r.Context().(*infoCtx); ok && ic.perConn {
		// The connection's own (ConnContext): the request already has it.
		ri.scratch = &ic.scratch
		ic.ri = ri
		return r, &ic.ri
	}
	ic := &infoCtx{Context: r.Context(), ri: ri}
	return r.WithContext(ic), &ic.ri
}

// infoCtx is context.WithValue(parent, infoKey{}, &ri) in one allocation
// (it runs on every request).
type infoCtx struct {
	context.Context
	ri reqInfo
	// perConn: made by ConnContext, for the requests of one connection,
	// one at a time; withInfo resets ri for each.
	perConn bool
	scratch connScratch
}

// ConnContext is for a front that serves a connection's requests one at
// a time, keeps nothing of a request past its handler's return, and
// gives every request on the connection the context ConnContext made
// from ctx (internal/h1serve's Server.ConnContext; not net/http's, whose
// requests each get a context of their own, and whose HTTP/2
// connections serve requests at the same time). ServeHTTP then keeps
// the request's reqInfo in that context instead of a copy of the request
// with a context of its own: that copy and the context were two
// allocations (about 480 bytes) per request.
func (s *Server) ConnContext(ctx context.Context) context.Context {
	return &infoCtx{Context: ctx, perConn: true}
}

func (c *infoCtx) Value(key any) any {
	if _, ok := key.(infoKey); ok {
		return &c.ri
	}
	return c.Context.Value(key)
}

// info returns the request's reqInfo; handlers called outside ServeHTTP
// (tests) get an empty one.
func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

// newCID is a fresh correlation id: 96 random bits in hex. They need to
// be unique, not secret: the runtime's generator (math/rand/v2, ChaCha8
// seeded by the system, per thread) makes them where crypto/rand cost
// 0.6 µs, about 1 % of a proxied request (BenchmarkProxyToken's profile).
//
// It is cut from a pooled arena (internal/strarena): no allocation per
// request.
func newCID() string {
	strs := strarena.Take()
	out := strs.Bytes(cidLen)
	fillCID(out)
	strs.Done()
	return strarena.Seal(out)
}

// cidLen is the length of a correlation id Waiter makes.
const cidLen = 24

// fillCID writes a fresh correlation id into out (cidLen bytes).
func fillCID(out []byte) {
	var b [cidLen / 2]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
	hex.Encode(out, b[:])
}
