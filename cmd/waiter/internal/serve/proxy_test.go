package serve

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
)

func TestProxyColdStartAndHeaders(t *testing.T) {
	r := startRouter(t, nil)
	h := service("hello")
	resp := r.call(t, "GET", "/hello?x=1", nil, append(h, "x-waiter-debug", "true", "x-cid", "cid-123")...)
	status, body := read(t, resp)
	wantBody(t, status, body, 200, "Hello World")
	id := r.serviceID(t, h)
	insts := r.sched.Instances(id)
	if len(insts) != 1 {
		t.Fatalf("instances %v", insts)
	}
	want := map[string]string{
		"x-cid": "cid-123", "x-waiter-service-id": id, "x-waiter-router-id": "test-router",
		"x-waiter-backend-id": insts[0].ID, "x-waiter-backend-host": "127.0.0.1",
		"x-waiter-backend-port":  insts[0].Addr()[strings.LastIndex(insts[0].Addr(), ":")+1:],
		"x-waiter-backend-proto": "http",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"x-waiter-request-id", "x-waiter-get-available-instance-ns", "x-waiter-backend-response-ns",
		"x-waiter-queue-timeout-ms", "x-waiter-request-date"} {
		if resp.Header.Get(k) == "" {
			t.Errorf("debug header %s missing", k)
		}
	}
	if via := resp.Header.Get("Via"); !strings.Contains(via, "waiter") {
		t.Errorf("Via %q", via)
	}

	// Without x-waiter-debug: a generated x-cid, no debug headers.
	resp = r.call(t, "GET", "/hello", nil, h...)
	read(t, resp)
	if resp.Header.Get("x-cid") == "" || resp.Header.Get("x-waiter-backend-id") != "" {
		t.Errorf("x-cid %q backend-id %q", resp.Header.Get("x-cid"), resp.Header.Get("x-waiter-backend-id"))
	}

	// What the backend saw: passthrough headers, x-cid, via, the user; no
	// x-waiter-* service headers, no hop-by-hop headers.
	status, body = read(t, r.call(t, "GET", "/request-info", nil, append(h, "x-cid", "c-9", "X-Custom", "yes",
		"Connection", "X-Hop", "X-Hop", "secret", "Authorization", "Basic eDp5")...))
	wantBody(t, status, body, 200)
	seen := decode(t, body)["headers"].(map[string]any)
	first := func(k string) string {
		if v, ok := seen[k].([]any); ok && len(v) > 0 {
			return v[0].(string)
		}
		return ""
	}
	if first("X-Custom") != "yes" || first("X-Cid") != "c-9" || !strings.Contains(first("Via"), "waiter") ||
		first("X-Waiter-Auth-Principal") != "alice" {
		t.Errorf("backend saw %v", seen)
	}
	for _, k := range []string{"X-Waiter-Cmd", "X-Waiter-Name", "X-Hop"} {
		if first(k) != "" {
			t.Errorf("backend saw %s: %q", k, first(k))
		}
	}
	// Not the client's credentials but the router's, for this service.
	if auth := first("Authorization"); auth == "Basic eDp5" || !strings.HasPrefix(auth, "Basic ") {
		t.Errorf("backend saw Authorization %q", auth)
	}
}

func TestAllMethods(t *testing.T) {
	r := startRouter(t, nil)
	h := service("methods")
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "MKCOL", "COPY"} {
		status, body := read(t, r.call(t, m, "/request-info?q=1", strings.NewReader("payload"), h...))
		wantBody(t, status, body, 200)
		got := decode(t, body)
		if got["method"] != m || got["uri"] != "/request-info?q=1" {
			t.Errorf("%s: backend saw %v %v", m, got["method"], got["uri"])
		}
		if m != "GET" && m != "DELETE" && m != "OPTIONS" && got["body-length"] != 7.0 {
			t.Errorf("%s: body length %v, want 7", m, got["body-length"])
		}
	}
	resp := r.call(t, "HEAD", "/", nil, append(h, "x-kitchen-response-size", "1234")...)
	status, body := read(t, resp)
	if status != 200 || body != "" || resp.Header.Get("Content-Length") != "1234" {
		t.Errorf("HEAD: %d %q Content-Length %q", status, body, resp.Header.Get("Content-Length"))
	}
}

// patternReader yields n bytes of fakesched.Pattern in odd-sized reads.
type patternReader struct{ off, n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := min(int64(len(b)), p.n-p.off, 7919)
	for i := int64(0); i < k; i++ {
		b[i] = fakesched.Pattern(p.off + i)
	}
	p.off += k
	return int(k), nil
}

// checkPattern reads body and checks it is exactly n pattern bytes.
func checkPattern(t *testing.T, body io.Reader, n int64) {
	t.Helper()
	buf := make([]byte, 64<<10)
	var off int64
	for {
		k, err := body.Read(buf)
		for i := 0; i < k; i++ {
			if buf[i] != fakesched.Pattern(off+int64(i)) {
				t.Fatalf("byte %d is %q, want %q", off+int64(i), buf[i], fakesched.Pattern(off+int64(i)))
			}
		}
		off += int64(k)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", off, err)
		}
	}
	if off != n {
		t.Fatalf("got %d bytes, want %d", off, n)
	}
}

func TestStreamingLargeBodies(t *testing.T) {
	r := startRouter(t, nil)
	h := service("stream")
	const size = 24 << 20

	t.Run("chunked upload echoed", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() { _, err := io.Copy(pw, &patternReader{n: size}); pw.CloseWithError(err) }()
		resp := r.call(t, "POST", "/echo", pr, append(h, "x-kitchen-echo", "1")...)
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		checkPattern(t, resp.Body, size)
	})
	t.Run("sized upload echoed", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", r.url+"/echo", &patternReader{n: size})
		req.ContentLength = size
		setHeaders(req, h)
		req.Header.Set("x-kitchen-echo", "1")
		resp, err := r.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ContentLength != size {
			t.Errorf("Content-Length %d, want %d", resp.ContentLength, size)
		}
		checkPattern(t, resp.Body, size)
	})
	for _, chunked := range []bool{false, true} {
		t.Run("download chunked="+strconv.FormatBool(chunked), func(t *testing.T) {
			hh := append(h, "x-kitchen-response-size", strconv.Itoa(size))
			if chunked {
				hh = append(hh, "x-kitchen-chunked", "1")
			}
			resp := r.call(t, "GET", "/big", nil, hh...)
			defer resp.Body.Close()
			if chunked != (resp.ContentLength < 0) {
				t.Errorf("ContentLength %d with chunked=%v", resp.ContentLength, chunked)
			}
			checkPattern(t, resp.Body, size)
		})
	}
}

func TestBackendFailures(t *testing.T) {
	r := startRouter(t, nil)

	t.Run("backend drops the connection: 502, instance ejected", func(t *testing.T) {
		h := service("die")
		status, body := read(t, r.call(t, "GET", "/die", nil, h...))
		wantBody(t, status, body, 502, "Request to service backend failed")
		// The only instance is ejected, so the next request waits for it.
		status, body = read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "100")...))
		wantBody(t, status, body, 503, "no instance available to handle request")
	})
	t.Run("backend too slow: 504 with debug headers", func(t *testing.T) {
		h := service("slow")
		resp := r.call(t, "GET", "/", nil, append(h, "x-waiter-timeout", "100", "x-kitchen-delay-ms", "10000",
			"x-waiter-debug", "1", "x-cid", "slow-cid")...)
		status, body := read(t, resp)
		wantBody(t, status, body, 504, "Request to service backend timed out", "slow-cid")
		if resp.Header.Get("x-waiter-backend-id") == "" || resp.Header.Get("x-cid") != "slow-cid" {
			t.Errorf("504 lacks debug headers: %v", resp.Header)
		}
	})
	t.Run("backend busy: 503 passed through, instance ejected", func(t *testing.T) {
		h := service("busy")
		status, body := read(t, r.call(t, "GET", "/", nil, append(h, "x-kitchen-act-busy", "1")...))
		wantBody(t, status, body, 503, "busy")
		status, body = read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "100")...))
		wantBody(t, status, body, 503, "no instance available")
	})
	t.Run("instance refuses connections: 502 connect failure", func(t *testing.T) {
		h := service("crash")
		status, _ := read(t, r.call(t, "GET", "/", nil, h...))
		if status != 200 {
			t.Fatalf("warm-up status %d", status)
		}
		r.sched.Crash(r.sched.Instances(r.serviceID(t, h))[0].ID)
		status, body := read(t, r.call(t, "GET", "/", nil, h...))
		wantBody(t, status, body, 502, "Request failed to connect to service backend")
	})
	t.Run("body breaks mid-stream: the client sees a broken transfer", func(t *testing.T) {
		for _, chunked := range []string{"", "1"} {
			// A separate service each time: the failure ejects the instance.
			resp := r.call(t, "GET", "/", nil, append(service("broken"+chunked), "x-kitchen-response-size", "100000",
				"x-kitchen-fail-after", "5000", "x-kitchen-chunked", chunked)...)
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil || n >= 100000 {
				t.Errorf("chunked=%q: read %d bytes with err %v, want a broken transfer", chunked, n, err)
			}
		}
	})
	t.Run("backend stalls while streaming: streaming timeout", func(t *testing.T) {
		resp := r.call(t, "GET", "/", nil, append(service("stall"), "x-kitchen-response-size", "100000",
			"x-kitchen-stall-after", "3000", "x-kitchen-chunked", "1", "x-waiter-streaming-timeout", "100")...)
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil || n != 3000 {
			t.Errorf("read %d bytes with err %v, want 3000 then a broken transfer", n, err)
		}
	})
}

func TestQueueTimeoutAndMaxQueueLength(t *testing.T) {
	r := startRouter(t, nil)

	t.Run("queue timeout message", func(t *testing.T) {
		h := service("never-healthy")
		r.sched.StartUnhealthy(r.serviceID(t, h), true)
		status, body := read(t, r.call(t, "GET", "/", nil, append(h, "x-waiter-queue-timeout", "1000")...))
		wantBody(t, status, body, 503, "After 1 seconds, no instance available to handle request.",
			"Check that your service is able to start properly!")
	})
	t.Run("max queue length", func(t *testing.T) {
		h := service("queue", "x-waiter-max-queue-length", "1", "x-waiter-max-instances", "1")
		id := r.serviceID(t, h)
		r.sched.StartUnhealthy(id, true)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		first := make(chan struct{})
		go func() {
			defer close(first)
			req, _ := http.NewRequestWithContext(ctx, "GET", r.url+"/", nil)
			setHeaders(req, h)
			if resp, err := r.client.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		r.waitOp(t, "create", id) // the first request is queued
		status, body := read(t, r.call(t, "GET", "/", nil, append(h, "Accept", "application/json")...))
		wantBody(t, status, body, 503, "Max queue length exceeded", id)
		cancel()
		<-first
	})
}

func TestAutoscaleUnderLoad(t *testing.T) {
	arrived := make(chan string, 16)
	release := make(chan struct{})
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/work" {
			arrived <- r.Host
			<-release
		}
		_, _ = io.WriteString(w, "done")
	})
	r := startRouter(t, backend)
	h := service("scale", "x-waiter-scale-up-factor", "0.99", "x-waiter-max-instances", "3")
	id := r.serviceID(t, h)

	const n = 3
	results := make(chan int, n)
	for range n {
		go func() {
			status, _ := read(t, r.call(t, "GET", "/work", nil, h...))
			results <- status
		}()
	}
	// Three requests on one single-slot instance: the autoscaler asks for
	// more instances and the queued requests are served by them.
	for range n {
		<-arrived
	}
	close(release)
	for range n {
		if status := <-results; status != 200 {
			t.Errorf("status %d", status)
		}
	}
	if got := len(r.sched.Instances(id)); got < 2 {
		t.Errorf("%d instances, want the service scaled up", got)
	}
}
