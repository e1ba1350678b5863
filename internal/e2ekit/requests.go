package e2ekit

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Service is an on-the-fly service: the x-waiter-* headers that describe
// it.
type Service map[string]string

// KitchenService describes the kitchen at path kitchen with Waiter's
// defaults plus extra parameters (header names without the x-waiter-
// prefix).
func KitchenService(kitchen string, extra map[string]string) Service {
	s := Service{
		"x-waiter-cmd":     kitchen + " -p $PORT0",
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

// Reply is what one proxied request got.
type Reply struct {
	Status    int
	Body      string
	ServiceID string // x-waiter-service-id
	BackendID string // x-waiter-backend-id: the instance
	// Waited and Backend are the router's x-waiter-get-available-instance-ns
	// (the wait for an instance) and x-waiter-backend-response-ns.
	Waited, Backend time.Duration
	Err             error
}

func (r Reply) String() string {
	if r.Err != nil {
		return "error: " + r.Err.Error()
	}
	return fmt.Sprintf("%d from %s: %.120q", r.Status, r.BackendID, r.Body)
}

// Send makes one request to the service through the router; kitchen
// holds extra request headers (x-kitchen-*).
func (c *Router) Send(svc Service, kitchen map[string]string) Reply {
	req, err := http.NewRequest(http.MethodGet, c.WaiterURL+"/", nil)
	if err != nil {
		return Reply{Err: err}
	}
	for k, v := range svc {
		req.Header.Set(k, v)
	}
	for k, v := range kitchen {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Reply{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ns := func(name string) time.Duration {
		n, _ := strconv.ParseInt(resp.Header.Get(name), 10, 64)
		return time.Duration(n)
	}
	return Reply{Status: resp.StatusCode, Body: string(b), Err: err,
		ServiceID: resp.Header.Get("x-waiter-service-id"), BackendID: resp.Header.Get("x-waiter-backend-id"),
		Waited: ns("x-waiter-get-available-instance-ns"), Backend: ns("x-waiter-backend-response-ns")}
}

// Start makes the first request to svc, which must succeed, and returns
// the service id.
func (c *Router) Start(svc Service) string {
	c.T.Helper()
	r := c.Send(svc, nil)
	if r.Err != nil || r.Status != http.StatusOK || r.ServiceID == "" {
		c.T.Fatalf("first request: %v (want 200 with x-waiter-service-id)", r)
	}
	return r.ServiceID
}

// SendConcurrently starts n identical requests at once and returns a
// channel that delivers all n replies, in completion order, once the last
// is done; the caller checks the router and the scheduler meanwhile.
func (c *Router) SendConcurrently(svc Service, n int, kitchen map[string]string) <-chan []Reply {
	out := make(chan []Reply, 1)
	replies := make(chan Reply, n)
	for range n {
		go func() { replies <- c.Send(svc, kitchen) }()
	}
	go func() {
		all := make([]Reply, 0, n)
		for range n {
			all = append(all, <-replies)
		}
		out <- all
	}()
	return out
}
