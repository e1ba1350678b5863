package waiterhttp

import (
	"encoding/binary"
	"net/http"
	"slices"
	"sync"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1guard"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/headername"
)

// parseHeaders reads a request's x-waiter-* headers with their names as
// the client sent them when the listener kept them (HTTP/1.1 through
// internal/h1guard), so that env and metadata take the order Waiter's
// Jetty gives them, which the service id depends on.
//
// Without env, metadata or param headers (whose order the parse reads
// from the names as sent) the parse depends on the x-waiter-* headers
// alone, and the same ones keep coming (a token's name, a client's
// on-the-fly service): the parse is kept by them (wireParses) and
// shared, and wireKey is their key ('h' then waiterHeadersKey), which
// stands for the parse in the description cache's key; otherwise wireKey
// is "".
// The result must not be modified.
func parseHeaders(r *http.Request) (hp engine.HeaderParams, wireKey string, err error) {
	bp := wireKeyBufs.Get().(*[]byte)
	defer wireKeyBufs.Put(bp)
	key, ok := waiterHeadersKey(append((*bp)[:0], 'h'), r.Header)
	*bp = key[:0]
	if ok {
		if kept, ok := wireParses.get(key); ok {
			return kept.hp, kept.key, nil
		}
	}
	hp, err = engine.ParseWireHeaders(r.Header, h1guard.HeaderNames(r.Context()))
	if err != nil {
		return hp, "", err
	}
	// A parse is kept (here, in descriptions, in the loops' decisions)
	// past its request: it must hold strings of its own, not the head's
	// (engine.HeaderParams.Own). Only a miss pays for the copy.
	hp = hp.Own()
	if ok && hp.Order == nil {
		return hp, wireParses.put(key, hp), nil
	}
	return hp, "", nil
}

// maxWireHeaders and maxWireKey bound the requests whose parse is kept:
// their x-waiter-* headers and the key they make.
const (
	maxWireHeaders = 32
	maxWireKey     = 2 << 10
	maxWireParses  = 1024
)

// wireParses are the parses kept, by waiterHeadersKey; the parse is a
// function of the key alone, so one map serves every server. When full
// it starts over.
var wireParses wireParseCache

type wireParseCache struct {
	mu sync.RWMutex
	m  map[string]wireParse
}

// wireParse is a kept parse with its key, which the description cache's
// key reuses.
type wireParse struct {
	hp  engine.HeaderParams
	key string
}

func (c *wireParseCache) get(key []byte) (wireParse, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	kept, ok := c.m[string(key)] // no allocation for the lookup
	return kept, ok
}

// put keeps hp by key and returns the key as kept.
func (c *wireParseCache) put(key []byte, hp engine.HeaderParams) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxWireParses {
		c.m = make(map[string]wireParse)
	}
	k := string(key)
	c.m[k] = wireParse{hp: hp, key: k}
	return k
}

var wireKeyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// waiterFieldsKey is waiterHeadersKey of header lines in wire order:
// each x-waiter-* line in the order it came, as a name with one value, in
// waiterHeadersKey's encoding (a key decodes to one list of names and
// values, so a key of either form stands for one set of headers).
func waiterFieldsKey(buf []byte, fields []h1serve.Field) (_ []byte, ok bool) {
	n := 0
	for _, f := range fields {
		if !headername.HasWaiterPrefix(f.Key) {
			continue
		}
		if n++; n > maxWireHeaders {
			return buf, false
		}
		buf = binary.AppendUvarint(buf, uint64(len(f.Key)))
		buf = append(buf, f.Key...)
		buf = binary.AppendUvarint(buf, 1)
		buf = binary.AppendUvarint(buf, uint64(len(f.Value)))
		buf = append(buf, f.Value...)
		if len(buf) > maxWireKey {
			return buf, false
		}
	}
	return buf, true
}

// waiterHeadersKey appends to buf every x-waiter-* header of h, names
// sorted, each name and value with its length before it (so no two
// header sets make one key); ok is false when h has too many such
// headers or they are too long to keep.
func waiterHeadersKey(buf []byte, h http.Header) (_ []byte, ok bool) {
	var arr [maxWireHeaders]string
	names := arr[:0]
	for k := range h {
		if headername.HasWaiterPrefix(k) {
			if len(names) == maxWireHeaders {
				return buf, false
			}
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		vv := h[k]
		buf = binary.AppendUvarint(buf, uint64(len(vv)))
		for _, v := range vv {
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
		}
		if len(buf) > maxWireKey {
			return buf, false
		}
	}
	return buf, true
}
