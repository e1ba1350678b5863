package waiterhttp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Backends the fuzzed router can be granted, chosen by the fuzz input.
const (
	backendNone   = iota // the fake router refuses with a queue timeout (503)
	backendEcho          // 200 echoing the request body
	backendDown          // the connection fails (502)
	backendBusy          // the instance answers 503
	backendBroken        // the response body breaks after a few bytes (abort)
	backendModes
)

// fuzzTokenHost is a token the fuzzed router knows, reached by Host.
const fuzzTokenHost = "fuzz.example"

// FuzzServer sends arbitrary requests (method, target, Host, header lines
// and body, parsed by net/http's own request reader and screened like its
// server does) to an edge over fakes that knows one token and one running
// service, with one of five backends. Properties: nothing panics except
// the deliberate http.ErrAbortHandler of a proxied response that broke;
// no 5xx but Waiter's 503 and 504, and 502 only when the backend is down;
// a Content-Length matches the body; and the body stays within a bound
// linear in the request's size (no amplification).
func FuzzServer(f *testing.F) {
	d, err := kitchenDescription()
	if err != nil {
		f.Fatal(err)
	}
	kitchen := "x-waiter-cmd: kitchen -p $PORT0\nx-waiter-cpus: 0.1\nx-waiter-mem: 256\nx-waiter-version: v1"
	for _, s := range []struct {
		method, target, host, headers, body string
		backend                             uint8
	}{
		{"GET", "/apps", "127.0.0.1:9091", "", "", backendNone},
		{"GET", "/apps/" + d.ID + "?effective-parameters=true", "localhost", "Accept: text/html", "", backendNone},
		{"POST", "/apps/" + d.ID + "/override", "localhost", "Content-Type: application/json", `{"min-instances":2}`, backendNone},
		{"DELETE", "/apps/" + d.ID, "localhost", "", "", backendNone},
		{"GET", "/service-id", "localhost", kitchen, "", backendNone},
		{"POST", "/token", "localhost", "Accept: application/json\nContent-Type: application/json", `{"token":"t1","cmd":"k","cpus":1,"mem":1,"version":"v"}`, backendNone},
		{"GET", "/token?token=" + fuzzTokenHost + "&include=metadata", "localhost", "", "", backendNone},
		{"GET", "/state/" + d.ID, "localhost", "", "", backendNone},
		{"GET", "/waiter-ping", fuzzTokenHost, "", "", backendEcho},
		{"GET", "/metrics", "localhost", "", "", backendNone},
		{"POST", "/hello?x=1", "localhost", kitchen + "\nx-waiter-debug: true", "some body", backendEcho},
		{"PUT", "/hello", fuzzTokenHost, "x-waiter-queue-timeout: 10", "body", backendDown},
		{"GET", "/hello", fuzzTokenHost, "Accept: application/json", "", backendBusy},
		{"GET", "/stream", "localhost", kitchen, "", backendBroken},
		{"POST", "/chunked", fuzzTokenHost, "Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\n\r\n", backendEcho},
		{"GET", "/x", "localhost", kitchen + "\nx-waiter-cpus: lots\nx-waiter-env-1bad: x", "", backendNone},
		{"GET", "/apps?run-as-user=ali*&env.FOO=*b*&metadata.team=x&include=requests,instances&token=" + fuzzTokenHost, "localhost", "", "", backendNone},
		{"POST", "/apps/" + d.ID + "/instance/" + d.ID + ".1/kill", "localhost", "", "", backendNone},
		{"GET", "/apps/" + d.ID + "/suspend", "localhost", "", "", backendNone},
		{"DELETE", "/token?token=" + fuzzTokenHost + "&hard-delete=true", "localhost", "If-Match: E-x", "", backendNone},
		{"GET", "/tokens?owner=alice,bob&include=metadata,deleted", "localhost", "", "", backendNone},
		{"HEAD", "/waiter-ping", fuzzTokenHost, "x-waiter-timeout: 100", "", backendBusy},
	} {
		f.Add(s.method, s.target, s.host, s.headers, []byte(s.body), s.backend)
	}
	f.Fuzz(func(t *testing.T, method, target, host, headers string, body []byte, backend uint8) {
		raw := rawRequest(method, target, host, headers, body)
		r, ok := screenRequest(raw, host)
		if !ok {
			return // net/http's server would refuse it before any handler runs
		}
		mode := int(backend % backendModes)
		e := newTestEdge(t, func(c *Config) { c.Transport = fuzzBackend(mode) })
		e.seed(t, d, mode)

		rec := httptest.NewRecorder()
		aborted := serveRecovering(e.srv, rec, r)
		if aborted && e.srv.cls.isAPI(r) {
			t.Fatalf("an API call aborted its connection: %s", raw)
		}
		if aborted {
			return
		}
		switch code := rec.Code; {
		case code == http.StatusBadGateway && mode == backendDown:
		case code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		case code >= 500:
			t.Fatalf("status %d for\n%q\nbody:\n%s", code, raw, rec.Body.String())
		}
		if cl := rec.Header().Get("Content-Length"); cl != "" && r.Method != http.MethodHead && mode != backendBroken {
			if n, err := strconv.Atoi(cl); err != nil || n != rec.Body.Len() {
				t.Fatalf("Content-Length %q for a body of %d bytes (%q)", cl, rec.Body.Len(), raw)
			}
		}
		if limit := 64<<10 + 16*len(raw); rec.Body.Len() > limit {
			t.Fatalf("a %d-byte request got a %d-byte answer (bound %d)", len(raw), rec.Body.Len(), limit)
		}
	})
}

// kitchenDescription is the on-the-fly service the fuzzed router runs.
func kitchenDescription() (*engine.Description, error) {
	h := http.Header{}
	for k, v := range kitchenHeaders() {
		h.Set(k, v)
	}
	hp, err := engine.ParseHeaders(h)
	if err != nil {
		return nil, err
	}
	return engine.ResolveDescription(engine.Source{Headers: hp, Requester: testUser}, engine.DescriptionOptions{})
}

// seed gives the edge a running service, a token reached by Host, and a
// router that grants every request unless the mode says it refuses.
func (e *testEdge) seed(t *testing.T, d *engine.Description, mode int) {
	t.Helper()
	e.running(t, d)
	data := map[string]any{"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256.0, "version": "v1", "owner": testUser}
	if _, _, err := e.store.PutToken(fuzzTokenHost, data, "", testUser, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if mode != backendNone {
		e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
			return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: a.Description.ID + ".1", Host: "127.0.0.1", Port: 1}, nil
		}
	}
}

// rawRequest writes the request as a client would send it; the header
// lines come from the fuzzer verbatim, so they may also break the framing.
func rawRequest(method, target, host, headers string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	for _, line := range strings.Split(headers, "\n") {
		if line != "" {
			b.WriteString(line + "\r\n")
		}
	}
	if !strings.Contains(strings.ToLower(headers), "transfer-encoding") {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// screenRequest parses raw with net/http's request reader and applies the
// checks net/http's server makes before calling a handler (a valid Host,
// valid header names and values; ReadRequest itself refuses a second Host), so the handler sees only requests a real
// listener would pass on.
func screenRequest(raw []byte, host string) (*http.Request, bool) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil || !validHostHeader(strings.Trim(host, " \t")) {
		return nil, false
	}
	for k, vv := range r.Header {
		if !validFieldName(k) {
			return nil, false
		}
		for _, v := range vv {
			if !validFieldValue(v) {
				return nil, false
			}
		}
	}
	r.RemoteAddr = "127.0.0.1:40000"
	return r, true
}

func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

func validHostHeader(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!$%&'()*+,-.:;=@[]_~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// serveRecovering serves r and reports whether the handler aborted the
// connection with http.ErrAbortHandler, which net/http's server recovers
// silently. Any other panic fails the fuzz input.
func serveRecovering(h http.Handler, w http.ResponseWriter, r *http.Request) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				aborted = true
				return
			}
			panic(v)
		}
	}()
	h.ServeHTTP(w, r)
	return false
}

// fuzzBackend is an in-memory instance that behaves as mode says.
func fuzzBackend(mode int) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var in []byte
		if r.Body != nil {
			var err error
			in, err = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			_ = r.Body.Close()
			if err != nil {
				return nil, err
			}
		}
		resp := &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"text/plain"}}, Request: r}
		switch mode {
		case backendDown:
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		case backendBusy:
			resp.StatusCode = http.StatusServiceUnavailable
			in = []byte("busy")
		case backendBroken:
			resp.ContentLength = -1
			resp.Body = io.NopCloser(io.MultiReader(strings.NewReader("partial"), errReader{}))
			return resp, nil
		}
		resp.ContentLength = int64(len(in))
		resp.Header.Set("Content-Length", strconv.Itoa(len(in)))
		resp.Body = io.NopCloser(bytes.NewReader(in))
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// errReader fails every read, like a backend connection reset mid-body.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by backend") }
