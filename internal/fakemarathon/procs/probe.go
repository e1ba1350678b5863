package procs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// DefaultCheckTimeout is Marathon's timeoutSeconds default.
const DefaultCheckTimeout = 20 * time.Second

// probe is one health check to run, copied out of the model under its
// lock so that the goroutine running it touches no model state.
type probe struct {
	protocol string // HTTP, HTTPS or TCP (MESOS_ prefix dropped)
	addr     string // host:port
	path     string
	timeout  time.Duration
}

// probeOf describes the check of t, or explains why it cannot run.
func probeOf(a *marathon.App, t *marathon.Task, host string) (probe, error) {
	c := a.Spec.Check
	p := probe{protocol: strings.TrimPrefix(strings.ToUpper(c.Protocol), "MESOS_"), path: c.Path, timeout: c.Timeout}
	if p.protocol == "" {
		p.protocol = "HTTP"
	}
	if p.path == "" {
		p.path = "/"
	}
	if p.timeout <= 0 {
		p.timeout = DefaultCheckTimeout
	}
	if c.PortIndex < 0 || c.PortIndex >= len(t.Ports) {
		return p, fmt.Errorf("portIndex %d but the task has %d ports", c.PortIndex, len(t.Ports))
	}
	p.addr = net.JoinHostPort(host, strconv.Itoa(t.Ports[c.PortIndex]))
	return p, nil
}

func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		// A fresh connection per check: keep-alive would hide whether the
		// task still accepts connections.
		DisableKeepAlives: true,
		// Tasks make up their own certificates; this checks liveness.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:           nil, // never through HTTP_PROXY
	}}
}

// run performs the check; ctx ends it early when the runtime closes.
func (p probe) run(ctx context.Context, client *http.Client) marathon.CheckResult {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if p.protocol == "TCP" {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", p.addr)
		if err != nil {
			return marathon.CheckResult{Cause: err.Error()}
		}
		_ = c.Close()
		return marathon.CheckResult{Pass: true, Connected: true}
	}
	scheme := "http"
	if p.protocol == "HTTPS" {
		scheme = "https"
	}
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) { connected.Store(err == nil) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+p.addr+p.path, nil)
	if err != nil {
		return marathon.CheckResult{Cause: err.Error()}
	}
	req.Header.Set("User-Agent", "marathon-sim-health-check")
	resp, err := client.Do(req)
	if err != nil {
		cause := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			cause = fmt.Sprintf("health check timed out after %v", p.timeout)
		}
		return marathon.CheckResult{Connected: connected.Load(), Cause: cause}
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	_ = resp.Body.Close()
	r := marathon.CheckResult{Connected: true, Responded: true, Status: resp.StatusCode}
	r.Pass = resp.StatusCode >= 200 && resp.StatusCode < 400
	if !r.Pass {
		r.Cause = "HTTP status " + strconv.Itoa(resp.StatusCode)
	}
	return r
}
