package kubernetes

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// service is an on-the-fly kitchen service: the x-waiter-* headers that
// describe it.
type service map[string]string

// kitchenService describes a kitchen with Waiter's defaults plus extra
// parameters (header names without the x-waiter- prefix).
func kitchenService(extra map[string]string) service {
	s := service{
		"x-waiter-cmd":     bins.kitchen + " -p $PORT0",
		"x-waiter-cpus":    "0.1",
		"x-waiter-mem":     "64",
		"x-waiter-version": "1",
		// The debug headers say which service and instance answered.
		"x-waiter-debug": "true",
	}
	for k, v := range extra {
		s["x-waiter-"+k] = v
	}
	return s
}

// reply is what one proxied request got.
type reply struct {
	status    int
	body      string
	serviceID string // x-waiter-service-id
	backendID string // x-waiter-backend-id: the instance, a Marathon task id
	// waited and backend are the router's x-waiter-get-available-instance-ns
	// (the wait for an instance) and x-waiter-backend-response-ns.
	waited, backend time.Duration
	err             error
}

func (r reply) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	return fmt.Sprintf("%d from %s: %.120q", r.status, r.backendID, r.body)
}

// send makes one request to the service through the router; kitchen
// holds extra request headers (x-kitchen-*).
func (c *cluster) send(svc service, kitchen map[string]string) reply {
	req, err := http.NewRequest(http.MethodGet, c.waiterURL+"/", nil)
	if err != nil {
		return reply{err: err}
	}
	for k, v := range svc {
		req.Header.Set(k, v)
	}
	for k, v := range kitchen {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ns := func(name string) time.Duration {
		n, _ := strconv.ParseInt(resp.Header.Get(name), 10, 64)
		return time.Duration(n)
	}
	return reply{status: resp.StatusCode, body: string(b), err: err,
		serviceID: resp.Header.Get("x-waiter-service-id"), backendID: resp.Header.Get("x-waiter-backend-id"),
		waited: ns("x-waiter-get-available-instance-ns"), backend: ns("x-waiter-backend-response-ns")}
}

// start makes the first request to svc, which must succeed, and returns
// the service id.
func (c *cluster) start(svc service) string {
	c.t.Helper()
	r := c.send(svc, nil)
	if r.err != nil || r.status != http.StatusOK || r.serviceID == "" {
		c.t.Fatalf("first request: %v (want 200 with x-waiter-service-id)", r)
	}
	return r.serviceID
}
