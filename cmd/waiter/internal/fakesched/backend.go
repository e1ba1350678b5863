package fakesched

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Backend is a small kitchen-like test service (cmd/kitchen's behaviours
// that proxy tests need), chosen per request by path and x-kitchen-*
// headers:
//
//	/status                      200 "ok" (health checks)
//	/bad-status?status=N         answer status N
//	/request-info                JSON: method, uri, host, headers, body length
//	/die                         drop the connection without an answer
//	x-kitchen-act-busy           503
//	x-kitchen-delay-ms: N        wait N ms (or until the client goes away) first
//	x-kitchen-echo               stream the request body back
//	x-kitchen-response-size: N   N bytes of a repeating pattern
//	x-kitchen-chunked            send them chunked (no Content-Length)
//	x-kitchen-fail-after: N      send N bytes of a longer body, then drop the connection
//	x-kitchen-stall-after: N     send N bytes, then send nothing until the client goes away
func Backend() http.Handler {
	return http.HandlerFunc(serveBackend)
}

// Pattern is the byte at offset i of x-kitchen-response-size bodies.
func Pattern(i int64) byte { return byte('a' + i%26) }

func serveBackend(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	if ms, err := strconv.Atoi(h.Get("x-kitchen-delay-ms")); err == nil && ms > 0 {
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("x-kitchen-instance", r.Host)
	switch {
	case r.URL.Path == "/status":
		_, _ = io.WriteString(w, "ok")
	case r.URL.Path == "/die":
		abort(w)
	case r.URL.Path == "/bad-status":
		status, err := strconv.Atoi(r.URL.Query().Get("status"))
		if err != nil {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "bad status "+strconv.Itoa(status))
	case r.URL.Path == "/request-info":
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "uri": r.URL.RequestURI(), "host": r.Host,
			"headers": r.Header, "body-length": n, "protocol": r.Proto})
	case h.Get("x-kitchen-act-busy") != "":
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "busy")
	case h.Get("x-kitchen-echo") != "":
		echo(w, r)
	default:
		sized(w, r)
	}
}

func echo(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).EnableFullDuplex()
	if r.ContentLength >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	w.WriteHeader(http.StatusOK)
	buf := make([]byte, 32<<10)
	rc := http.NewResponseController(w)
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

func sized(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := r.Header
	size, err := strconv.ParseInt(h.Get("x-kitchen-response-size"), 10, 64)
	if err != nil || size < 0 {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "Hello World")
		return
	}
	failAfter := int64(-1)
	if v, err := strconv.ParseInt(h.Get("x-kitchen-fail-after"), 10, 64); err == nil {
		failAfter = v
	}
	stallAfter := int64(-1)
	if v, err := strconv.ParseInt(h.Get("x-kitchen-stall-after"), 10, 64); err == nil {
		stallAfter = v
	}
	if h.Get("x-kitchen-chunked") == "" {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	rc := http.NewResponseController(w)
	buf := make([]byte, 16<<10)
	for off := int64(0); off < size; {
		if off == failAfter {
			_ = rc.Flush()
			abort(w)
			return
		}
		if off == stallAfter {
			_ = rc.Flush()
			<-r.Context().Done()
			return
		}
		n := int64(len(buf))
		n = min(n, size-off)
		if failAfter > off {
			n = min(n, failAfter-off)
		}
		if stallAfter > off {
			n = min(n, stallAfter-off)
		}
		for i := int64(0); i < n; i++ {
			buf[i] = Pattern(off + i)
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return
		}
		off += n
	}
}

// abort drops the connection without finishing the response.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
