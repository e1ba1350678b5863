package e2ekit

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// NewClient returns an HTTP client for one cluster's programs. Each
// cluster has its own, so that its clean-up can close the connections it
// pooled before stopping the router: a pooled connection that never
// carried a request holds `waiter serve`'s graceful shutdown for 5 s
// (so the suites drop them before they stop a router).
// Proxy is nil on purpose: an HTTP_PROXY in the environment must not
// catch requests to 127.0.0.1.
func NewClient() *http.Client {
	return &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 32},
	}
}

// Router is a test's client of one `waiter serve`: a suite's cluster
// embeds it, and its methods fail the test T when the router cannot be
// reached at all (it must stay up).
type Router struct {
	T         *testing.T
	HTTP      *http.Client
	WaiterURL string // http://127.0.0.1:port
}

// GetJSON is Call with GET and no body.
func (c *Router) GetJSON(url string, v any) int {
	c.T.Helper()
	return c.Call(http.MethodGet, url, "", v)
}

// Call makes one JSON call and decodes a 2xx body into v (when not nil).
// A call that fails outright fails the test: both programs must stay up.
func (c *Router) Call(method, url, body string, v any) int {
	c.T.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	if v != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, v); err != nil {
			c.T.Fatalf("%s %s: %v in %.300q", method, url, err, b)
		}
	}
	return resp.StatusCode
}

// ShortID is the tail of an instance id, enough to tell instances apart
// in messages.
func ShortID(id string) string {
	if len(id) > 8 {
		return "…" + id[len(id)-8:]
	}
	return id
}

// AppView is the part of GET /apps/{id} the tests read.
type AppView struct {
	ServiceID      string `json:"service-id"`
	Status         string `json:"status"`
	InstanceCounts struct {
		Healthy   int `json:"healthy-instances"`
		Requested int `json:"requested-instances"`
		Scheduled int `json:"scheduled-instances"`
	} `json:"instance-counts"`
	Instances struct {
		Active []InstanceView `json:"active-instances"`
		Killed []InstanceView `json:"killed-instances"`
	} `json:"instances"`
}

// InstanceView is one instance in an AppView.
type InstanceView struct {
	ID      string `json:"id"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	Healthy bool   `json:"healthy?"`
}

func (a AppView) String() string {
	ids := make([]string, 0, len(a.Instances.Active))
	for _, in := range a.Instances.Active {
		ids = append(ids, fmt.Sprintf("%s(healthy=%v)", ShortID(in.ID), in.Healthy))
	}
	return fmt.Sprintf("status %s, requested %d, scheduled %d, healthy %d, active %v",
		a.Status, a.InstanceCounts.Requested, a.InstanceCounts.Scheduled, a.InstanceCounts.Healthy, ids)
}

// App is GET /apps/{id}; it fails the test unless the router answers 200.
func (c *Router) App(id string) AppView {
	c.T.Helper()
	var a AppView
	if code := c.GetJSON(c.WaiterURL+"/apps/"+id, &a); code != http.StatusOK {
		c.T.Fatalf("GET /apps/%s: status %d", id, code)
	}
	return a
}

// AppIDs is the service ids GET /apps lists.
func (c *Router) AppIDs() []string {
	c.T.Helper()
	var list []AppView
	if code := c.GetJSON(c.WaiterURL+"/apps", &list); code != http.StatusOK {
		c.T.Fatalf("GET /apps: status %d", code)
	}
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ServiceID)
	}
	return ids
}

// DriverState is the part of GET /state the tests read: the router's own
// view of its scheduler.
type DriverState struct {
	Driver struct {
		LastPollError string `json:"last-poll-error"`
		LastPoll      string `json:"last-poll"`
	} `json:"driver"`
}

// State is GET /state; it fails the test unless the router answers 200.
func (c *Router) State() DriverState {
	c.T.Helper()
	var s DriverState
	if code := c.GetJSON(c.WaiterURL+"/state", &s); code != http.StatusOK {
		c.T.Fatalf("GET /state: status %d", code)
	}
	return s
}

// APIResult is the JSON body of the router's kill and delete calls.
type APIResult struct {
	Success bool   `json:"success"`
	Result  string `json:"result"`
}

// KillInstance is POST /apps/{id}/instance/{iid}/kill.
func (c *Router) KillInstance(id, iid string) (int, APIResult) {
	c.T.Helper()
	var out APIResult
	code := c.Call(http.MethodPost, c.WaiterURL+"/apps/"+id+"/instance/"+iid+"/kill", "", &out)
	return code, out
}

// DeleteApp is DELETE /apps/{id}.
func (c *Router) DeleteApp(id string) (int, APIResult) {
	c.T.Helper()
	var out APIResult
	code := c.Call(http.MethodDelete, c.WaiterURL+"/apps/"+id, "", &out)
	return code, out
}
