package waiterhttp

import (
	"net/http"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// TestBackendHeadersEach: the headers the fast client writes onto the
// wire (backendHeaders.each) are the ones backendRequestHeaders builds
// for net/http's transport, plus the service's Authorization, for any
// client headers: hop-by-hop ones and those Connection names, x-waiter-*,
// Authorization, Expect, auth cookies among others, Via chains, a
// missing User-Agent, a client's own x-cid and principal headers.
func TestBackendHeadersEach(t *testing.T) {
	names := []string{"Accept", "User-Agent", "Connection", "Keep-Alive", "Te", "Upgrade", "Proxy-Authorization",
		"Authorization", "Expect", "Cookie", "Via", "X-Cid", "X-Waiter-Token", "x-waiter-debug",
		"X-Waiter-Auth-Principal", "X-Custom", "X-Other", "Trailer", "Transfer-Encoding"}
	values := []string{"", "a", "b, c", "x-custom", "X-Other, cookie", "user-agent", "Via", "x-waiter-auth=1; k=v",
		"k=v;  x-auth-expires-at=5", "x-waiter-auth=2", "1.1 nginx", "Accept , Keep-Alive", "keep-alive"}
	rapid.Check(t, func(t *rapid.T) {
		in := http.Header{}
		for range rapid.IntRange(0, 8).Draw(t, "n") {
			k := rapid.SampledFrom(names).Draw(t, "name")
			in[k] = append(in[k], rapid.SampledFrom(values).Draw(t, "value"))
		}
		user := rapid.SampledFrom([]string{"", "alice"}).Draw(t, "user")
		auth := rapid.SampledFrom([]string{"", "Basic eA=="}).Draw(t, "auth")
		want := backendRequestHeaders(in.Clone(), "cid-1", user, "1.1 waiter")
		if auth != "" {
			want["Authorization"] = []string{auth}
		}
		got := http.Header{}
		h := backendHeaders{in: in, cid: "cid-1", user: user, via: "1.1 waiter", auth: auth}
		h.each(func(k, v string) { got[k] = append(got[k], v) })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("in %v user %q auth %q:\n each %v\n want %v", in, user, auth, got, want)
		}
	})
}
