package waiterhttp

import (
	"github.com/waiter-go/waiter/internal/boundedmap"
	"net/http"
	"testing"
)

// The Authorization header to an instance is what SetBasicAuth writes,
// computed once per service; a service without credentials gets none.
func TestBackendAuthCache(t *testing.T) {
	calls := map[string]int{}
	auth := func(id string) (string, string, bool) {
		calls[id]++
		return "waiter", "pw-" + id, id != "none"
	}
	c := backendAuthCache{boundedmap.Map[string, backendAuthEntry]{Max: 2}}
	want := &http.Request{Header: http.Header{}}
	want.SetBasicAuth("waiter", "pw-s1")
	for range 3 {
		if v, ok := c.header("s1", auth); !ok || v != want.Header.Get("Authorization") {
			t.Fatalf("header %q %v, want %q", v, ok, want.Header.Get("Authorization"))
		}
	}
	if calls["s1"] != 1 {
		t.Fatalf("BackendAuth called %d times for one service", calls["s1"])
	}
	if v, ok := c.header("none", auth); ok || v != "" {
		t.Fatalf("a service without credentials got %q", v)
	}
	c.header("s2", auth)
	if c.Len() > c.Max {
		t.Fatalf("cache holds %d services, max %d", c.Len(), c.Max)
	}
	// Through the server: the request to the instance carries it.
	s := &Server{cfg: Config{BackendAuth: auth}, backendAuths: backendAuthCache{boundedmap.Map[string, backendAuthEntry]{Max: 4}}}
	out := &http.Request{Header: http.Header{}}
	s.backendAuth(out, "s1")
	if user, pass, ok := out.BasicAuth(); !ok || user != "waiter" || pass != "pw-s1" {
		t.Fatalf("request to the instance: %q %q %v", user, pass, ok)
	}
}
