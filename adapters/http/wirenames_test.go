package waiterhttp

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// TestParseHeadersCached: a request's x-waiter-* headers parse as
// engine.ParseWireHeaders parses them, the second time from the cache
// when they hold no env, metadata or param header (whose order depends
// on the names as sent); a parse that failed is never kept.
func TestParseHeadersCached(t *testing.T) {
	req := func(h http.Header) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://waiter/x", nil)
		r.Header = h
		return r
	}
	cases := []struct {
		h      http.Header
		cached bool
	}{
		{http.Header{"X-Waiter-Token": {"kit,other"}, "Accept": {"*/*"}}, true},
		{http.Header{"X-Waiter-Token": {"kit"}, "X-Waiter-Debug": {"true"}}, true},
		{http.Header{"X-Waiter-Token": {"kit", "two"}}, true},
		{http.Header{"X-Waiter-Cpus": {"1"}, "X-Waiter-Mem": {"128"}, "X-Waiter-Cmd": {"kitchen"}}, true},
		{http.Header{"X-Waiter-Cpus": {"1"}, "X-Waiter-Env-Foo": {"bar"}}, false},
		{http.Header{"X-Waiter-Token": {badList}}, false},
		{http.Header{"Accept": {"*/*"}}, true},
	}
	for _, c := range cases {
		want, wantErr := engine.ParseWireHeaders(c.h, nil)
		for range 2 {
			got, wireKey, err := parseHeaders(req(c.h))
			if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) {
				t.Fatalf("%v: got %+v %v, want %+v %v", c.h, got, err, want, wantErr)
			}
			if (wireKey != "") != c.cached {
				t.Fatalf("%v: wire key %q, want one: %v", c.h, wireKey, c.cached)
			}
		}
		key, _ := waiterHeadersKey([]byte{'h'}, c.h)
		if _, ok := wireParses.get(key); ok != c.cached {
			t.Fatalf("%v: kept %v, want %v", c.h, ok, c.cached)
		}
	}
	if _, _, err := parseHeaders(req(http.Header{"X-Waiter-Token": {badList}})); err == nil {
		t.Fatal("too many tokens parsed without an error")
	}
	// Header sets that differ only in where one value ends make
	// different keys.
	a, _ := waiterHeadersKey(nil, http.Header{"X-Waiter-A": {"b", "c"}})
	b, _ := waiterHeadersKey(nil, http.Header{"X-Waiter-A": {"bc"}})
	if string(a) == string(b) {
		t.Fatal("two header sets make one key")
	}
}

// badList names more tokens than a request may.
const badList = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a1,b1,c1,d1,e1,f1,g1,h1,i1,j1,k1,l1,m1,n1,o1,p1,q1,r1,s1,t1,u1,v1,w1,x1,y1,z1"

// BenchmarkParseHeaders: an on-the-fly service's headers (proxybench's
// "headers" case) parsed every time (engine) and through the cache.
func BenchmarkParseHeaders(b *testing.B) {
	h := http.Header{"X-Waiter-Cmd": {"kitchen -p $PORT0"}, "X-Waiter-Cmd-Type": {"shell"}, "X-Waiter-Cpus": {"1"},
		"X-Waiter-Mem": {"256"}, "X-Waiter-Version": {"proxybench"}, "X-Waiter-Name": {"proxybench"},
		"X-Waiter-Concurrency-Level": {"128"}, "X-Waiter-Min-Instances": {"1"}, "X-Waiter-Max-Instances": {"1"},
		"User-Agent": {"wrk"}, "Accept": {"*/*"}}
	r, _ := http.NewRequest(http.MethodGet, "http://waiter/hello", nil)
	r.Header = h
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = engine.ParseWireHeaders(h, nil)
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = parseHeaders(r)
		}
	})
}

// TestDescKeyByHeaders: the description cache's key stands for the
// x-waiter-* headers as sent when they hold no env, metadata or param
// header, and for the canonical parameters otherwise; different headers,
// tokens or users never share a key.
func TestDescKeyByHeaders(t *testing.T) {
	var c descCache
	key := func(h http.Header, tokens []waiter.Token, user string) string {
		r, _ := http.NewRequest(http.MethodGet, "http://waiter/", nil)
		r.Header = h
		hp, wireKey, err := parseHeaders(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(c.key(nil, wireKey, hp, tokens, user))
	}
	one := http.Header{"X-Waiter-Cpus": {"1"}, "X-Waiter-Mem": {"64"}, "Accept": {"*/*"}}
	two := http.Header{"X-Waiter-Cpus": {"2"}, "X-Waiter-Mem": {"64"}}
	env := http.Header{"X-Waiter-Cpus": {"1"}, "X-Waiter-Env-Foo": {"bar"}}
	tok := []waiter.Token{{Name: "kit", ETag: "E1"}}
	keys := map[string]string{
		"one":         key(one, nil, "alice"),
		"two":         key(two, nil, "alice"),
		"one bob":     key(one, nil, "bob"),
		"one token":   key(one, tok, "alice"),
		"one token 2": key(one, []waiter.Token{{Name: "kit", ETag: "E2"}}, "alice"),
		"env":         key(env, nil, "alice"),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if other, ok := seen[k]; ok {
			t.Fatalf("%s and %s share a key", name, other)
		}
		seen[k] = name
	}
	if keys["one"][0] != 'h' || keys["env"][0] != 'p' {
		t.Fatalf("key forms: %q %q", keys["one"][0], keys["env"][0])
	}
	if keys["one"] != key(http.Header{"X-Waiter-Mem": {"64"}, "X-Waiter-Cpus": {"1"}, "User-Agent": {"x"}}, nil, "alice") {
		t.Fatal("the same x-waiter-* headers make another key")
	}
}
