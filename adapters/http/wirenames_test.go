package waiterhttp

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// TestParseHeadersTokenOnlyCached: a request naming its service by one
// x-waiter-token value parses as engine.ParseWireHeaders parses it, the
// second time from the cache; any other x-waiter-* header, a second
// value, or a bad value is parsed afresh every time.
func TestParseHeadersTokenOnlyCached(t *testing.T) {
	req := func(h http.Header) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://waiter/x", nil)
		r.Header = h
		return r
	}
	cases := []http.Header{
		{"X-Waiter-Token": {"kit,other"}, "Accept": {"*/*"}},
		{"X-Waiter-Token": {"kit"}, "X-Waiter-Debug": {"true"}},
		{"X-Waiter-Token": {"kit", "two"}},
		{"X-Waiter-Token": {"kit"}, "X-Waiter-Cpus": {"1"}},
		{"X-Waiter-Token": {badList}},
		{"Accept": {"*/*"}},
	}
	for _, h := range cases {
		want, wantErr := engine.ParseWireHeaders(h, nil)
		for range 2 {
			got, err := parseHeaders(req(h))
			if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) {
				t.Fatalf("%v: got %+v %v, want %+v %v", h, got, err, want, wantErr)
			}
		}
	}
	if _, ok := tokenOnlyParses.Get("kit,other"); !ok {
		t.Fatal("the token-only parse is not cached")
	}
	if _, err := parseHeaders(req(http.Header{"X-Waiter-Token": {badList}})); err == nil {
		t.Fatal("too many tokens parsed without an error")
	}
	if _, ok := tokenOnlyParses.Get(badList); ok {
		t.Fatal("a parse that failed is cached")
	}
	if v, ok := tokenOnly(http.Header{"X-Waiter-Token": {"kit"}, "X-Waiter-Debug": {"1"}}); ok {
		t.Fatalf("tokenOnly with x-waiter-debug: %q", v)
	}
}

// badList names more tokens than a request may.
const badList = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a1,b1,c1,d1,e1,f1,g1,h1,i1,j1,k1,l1,m1,n1,o1,p1,q1,r1,s1,t1,u1,v1,w1,x1,y1,z1"
