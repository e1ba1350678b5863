package kubernetes

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// newClient returns a cluster's HTTP client, for both programs. Each
// cluster has its own, so that its clean-up can close the connections it
// pooled before stopping the router: a pooled connection that never
// carried a request holds `waiter serve`'s graceful shutdown for 5 s (see
// the note on cluster.stopWaiter). Proxy is nil on purpose: an HTTP_PROXY in
// the environment must not catch requests to 127.0.0.1.
func newClient() *http.Client {
	return &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 32},
	}
}

func (c *cluster) getJSON(url string, v any) int {
	c.t.Helper()
	return c.call(http.MethodGet, url, "", v)
}

// call makes one JSON call and decodes a 2xx body into v (when not nil).
// A call that fails outright fails the test: both programs must stay up.
func (c *cluster) call(method, url, body string, v any) int {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	if v != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v in %.300q", method, url, err, b)
		}
	}
	return resp.StatusCode
}

// shortID is the tail of an instance id, enough to tell instances apart
// in messages.
func shortID(id string) string {
	if len(id) > 8 {
		return "…" + id[len(id)-8:]
	}
	return id
}
