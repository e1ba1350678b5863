package marathon

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

	"github.com/waiter-go/waiter/engine"
)

// prober is the router's own health check of instances Marathon does not
// call healthy yet (Waiter's scheduler syncer, reference 5.2): GET
// <proto>://host:port<health-check-url> with x-waiter-request-type:
// health-check; healthy on 2xx. Marathon checks every interval (5 s at
// least for Waiter's services); this finds a started instance at the
// next poll, and learns why one is not healthy for deployment errors.
type prober struct {
	client  *http.Client
	timeout time.Duration // <= 0: no probes
}

func newProber(timeout time.Duration) *prober {
	tr := &http.Transport{
		// A fresh connection per probe: keep-alive would hide whether the
		// instance still accepts connections.
		DisableKeepAlives: true,
		// Instances make up their own certificates; this is about liveness.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:           nil,
	}
	return &prober{client: &http.Client{Transport: tr}, timeout: timeout}
}

func (p *prober) close() { p.client.CloseIdleConnections() }

// probeResult is what one check learnt.
type probeResult struct {
	healthy bool
	status  int
	flags   engine.InstanceFlags
}

// check probes url; ctx ends it early.
func (p *prober) check(ctx context.Context, url string) probeResult {
	var res probeResult
	var connected atomic.Bool
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) { connected.Store(err == nil) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return res
	}
	req.Header.Set("x-waiter-request-type", "health-check")
	resp, err := p.client.Do(req)
	if connected.Load() {
		res.flags |= engine.FlagHasConnected
	}
	if err != nil {
		var netErr net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
			res.flags |= engine.FlagTimeoutException
		}
		var rhe tls.RecordHeaderError
		var alert tls.AlertError
		if errors.As(err, &rhe) || errors.As(err, &alert) {
			res.flags |= engine.FlagSSLException
		}
		return res
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	_ = resp.Body.Close()
	res.flags |= engine.FlagHasConnected | engine.FlagHasResponded
	res.status = resp.StatusCode
	res.healthy = resp.StatusCode >= 200 && resp.StatusCode < 300
	return res
}

// healthURL is where an instance's health is checked, or "" when the
// app's check cannot be aimed at it.
func healthURL(protocol, host, path string, portIndex int, ports []int) string {
	if host == "" || portIndex < 0 || portIndex >= len(ports) {
		return ""
	}
	scheme := "http"
	if protocol == "HTTPS" || protocol == "MESOS_HTTPS" {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(ports[portIndex])) + path
}
