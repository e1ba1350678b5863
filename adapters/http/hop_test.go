package waiterhttp

import (
	"net/http"
	"reflect"
	"testing"
)

func TestBackendRequestHeaders(t *testing.T) {
	in := http.Header{}
	in.Set("Connection", "keep-alive, X-Custom-Hop")
	in.Set("X-Custom-Hop", "drop me")
	in.Set("Keep-Alive", "timeout=5")
	in.Set("Te", "trailers")
	in.Set("Transfer-Encoding", "chunked")
	in.Set("Upgrade", "h2c")
	in.Set("Proxy-Authorization", "Basic x")
	in.Set("Authorization", "Bearer secret")
	in.Set("Expect", "100-continue")
	in.Set("x-waiter-cmd", "ls")
	in.Set("X-Waiter-Token", "t")
	in.Set("Cookie", "a=1; x-waiter-auth=secret; b=2")
	in.Set("Via", "1.1 upstream")
	in.Set("Accept", "text/plain")
	in.Set("x-cid", "client-cid")

	out := backendRequestHeaders(in, "cid-1", "alice", "1.1 waiter")
	for _, gone := range []string{"Connection", "X-Custom-Hop", "Keep-Alive", "Te", "Transfer-Encoding", "Upgrade",
		"Proxy-Authorization", "Authorization", "Expect", "X-Waiter-Cmd", "X-Waiter-Token"} {
		if v := out.Get(gone); v != "" {
			t.Errorf("%s forwarded as %q", gone, v)
		}
	}
	want := map[string]string{
		"Cookie": "a=1; b=2", "Via": "1.1 upstream, 1.1 waiter", "Accept": "text/plain", "X-Cid": "cid-1",
		"X-Waiter-Auth-Principal": "alice", "X-Waiter-Authenticated-Principal": "alice",
	}
	for k, v := range want {
		if got := out.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if ua, ok := out["User-Agent"]; !ok || !reflect.DeepEqual(ua, []string{""}) {
		t.Errorf("User-Agent %v: an absent one must stay absent (empty), not become Go's", ua)
	}
	if in.Get("Authorization") == "" {
		t.Errorf("the client's headers were modified")
	}
}

func TestCopyResponseHeaders(t *testing.T) {
	src := http.Header{}
	src.Set("Connection", "close, X-Hop")
	src.Set("X-Hop", "1")
	src.Set("Transfer-Encoding", "chunked")
	src.Set("Content-Type", "text/plain")
	src.Add("Set-Cookie", "x-waiter-auth=forged")
	src.Add("Set-Cookie", "session=ok")
	dst := http.Header{}
	copyResponseHeaders(dst, src)
	if dst.Get("Connection") != "" || dst.Get("X-Hop") != "" || dst.Get("Transfer-Encoding") != "" {
		t.Errorf("hop-by-hop headers passed: %v", dst)
	}
	if got := dst.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"session=ok"}) {
		t.Errorf("Set-Cookie = %v, want only the service's own cookie", got)
	}
	if dst.Get("Content-Type") != "text/plain" {
		t.Errorf("end-to-end header lost: %v", dst)
	}
}

// An answer without cookies keeps the router's own, even when its
// Connection header names Set-Cookie, and adds none.
func TestCopyResponseHeadersKeepsRoutersCookies(t *testing.T) {
	for _, conn := range []string{"", "Set-Cookie"} {
		src := http.Header{"Content-Type": {"text/plain"}}
		if conn != "" {
			src.Set("Connection", conn)
		}
		pair := []string{"x-waiter-auth=a", "x-auth-expires-at=1"}
		dst := http.Header{"Set-Cookie": pair}
		copyResponseHeaders(dst, src)
		if got := dst["Set-Cookie"]; !reflect.DeepEqual(got, pair) {
			t.Errorf("Connection %q: Set-Cookie = %q, want the router's %q", conn, got, pair)
		}
		none := http.Header{}
		copyResponseHeaders(none, src)
		if _, ok := none["Set-Cookie"]; ok || none.Get("Content-Type") != "text/plain" {
			t.Errorf("Connection %q, no cookies: %v", conn, none)
		}
	}
}
