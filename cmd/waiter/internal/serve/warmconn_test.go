package serve

import (
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// A connection a health check left open to an instance (internal/warmconn,
// put there by the shell scheduler as it finds the instance ready)
// carries the next request to that instance, before any idle pooled
// connection to its address, on either front: the event loop's and the
// goroutine front's fast client (which pools the first request's
// connection). The instance here answers with the address each request
// came from.
func TestRequestTakesTheHealthChecksConnection(t *testing.T) {
	echoRemote := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.RemoteAddr) })
	for _, loop := range []bool{true, false} {
		name := map[bool]string{true: "event loop", false: "goroutine front"}[loop]
		t.Run(name, func(t *testing.T) {
			r := startRouter(t, echoRemote, func(c *config.Config) { c.EventLoop = loop })
			headers := append(service("warm"), "x-waiter-debug", "true")
			// The first request starts the service (and stores it).
			resp := r.call(t, "GET", "/first", nil, headers...)
			addr := net.JoinHostPort(resp.Header.Get("x-waiter-backend-host"), resp.Header.Get("x-waiter-backend-port"))
			if status, body := read(t, resp); status != http.StatusOK {
				t.Fatalf("first request: %d %s", status, body)
			}
			warm, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			r.warm.Put(addr, warm)
			// A connection of its own to the router, so that the request
			// is read by the front under test from its start.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			req, _ := http.NewRequest("GET", r.url+"/remote", nil)
			setHeaders(req, headers)
			resp, err = client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			status, body := read(t, resp)
			if status != http.StatusOK || body != warm.LocalAddr().String() {
				t.Errorf("%d: the request came from %s, want the health check's connection %s", status, body, warm.LocalAddr())
			}
			if r.warm.Len() != 0 {
				t.Error("the connection is still kept after the request took it")
			}
		})
	}
}
