package shell

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// prober sends health checks: GET <proto>://127.0.0.1:<port><url>, healthy
// on 2xx, as Waiter's shell scheduler does.
type prober struct {
	client  *http.Client
	timeout time.Duration
}

// probeResult is what one health check learnt. The flags follow Waiter's
// classify-response-errors: connected (TCP connect succeeded), responded
// (a status line arrived), timed out, TLS failure.
type probeResult struct {
	connected bool
	responded bool
	timeout   bool
	tlsError  bool
	status    int
}

func (r probeResult) healthy() bool { return r.responded && r.status >= 200 && r.status < 300 }

func newProber(timeout time.Duration) *prober {
	tr := &http.Transport{
		// A fresh connection per probe: keep-alive would hide whether the
		// instance still accepts connections, and idle connections to
		// instances that died would pile up.
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{}).DialContext,
		// Instances are local processes with whatever certificate they
		// made up; the check is about liveness, not identity.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:           nil, // never send health checks through HTTP_PROXY
	}
	return &prober{client: &http.Client{Transport: tr}, timeout: timeout}
}

// healthURL is where instance in's health is checked.
func healthURL(sp *spec, ports []int) string {
	proto := "http"
	if sp.BackendProto == "https" || sp.BackendProto == "h2" {
		proto = "https"
	}
	return proto + "://" + net.JoinHostPort(Host, strconv.Itoa(ports[sp.HealthCheckPortIndex])) + sp.HealthCheckURL
}

func (p *prober) check(ctx context.Context, url string) probeResult {
	var res probeResult
	var connected atomic.Bool
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				connected.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return res
	}
	req.Header.Set("x-waiter-request-type", "health-check")
	req.Header.Set("User-Agent", "waiter-shell-scheduler")
	resp, err := p.client.Do(req)
	res.connected = connected.Load()
	if err != nil {
		var netErr net.Error
		res.timeout = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
		var rhe tls.RecordHeaderError
		var alert tls.AlertError
		res.tlsError = errors.As(err, &rhe) || errors.As(err, &alert)
		return res
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	_ = resp.Body.Close()
	res.connected, res.responded, res.status = true, true, resp.StatusCode
	return res
}
