package waiterhttp

import (
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// apiPathRegexp is the rule isAPIPathPattern implements by hand.
var apiPathRegexp = regexp.MustCompile(`^/waiter-(async/(v2/)?(complete|result|status)/|auth/|consent|interstitial)`)

var apiPathSeeds = []string{
	"", "/", "/waiter-", "/waiter-auth", "/waiter-auth/", "/waiter-auth/x", "/waiter-consent", "/waiter-consentx",
	"/waiter-interstitial/a", "/waiter-interstitia", "/waiter-async/complete/1/2", "/waiter-async/complete",
	"/waiter-async/v2/result/x", "/waiter-async/v2/", "/waiter-async/v2/v2/status/", "/waiter-async/status/",
	"/waiter-async/result", "/waiter-async/", "/waiter-ping", "/hello", "/Waiter-auth/", "waiter-auth/",
	"/waiter-async/v2status/", "/waiter-async/v2/complete/", "//waiter-auth/",
}

func TestAPIPathPatternMatchesRegexp(t *testing.T) {
	for _, p := range apiPathSeeds {
		if got, want := isAPIPathPattern(p), apiPathRegexp.MatchString(p); got != want {
			t.Errorf("isAPIPathPattern(%q) = %v, the regexp says %v", p, got, want)
		}
	}
}

func FuzzAPIPathPattern(f *testing.F) {
	for _, p := range apiPathSeeds {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := isAPIPathPattern(p), apiPathRegexp.MatchString(p); got != want {
			t.Fatalf("isAPIPathPattern(%q) = %v, the regexp says %v", p, got, want)
		}
	})
}

var hostSeeds = []string{"", ":", "a", "a:1", "a:", ":1", "[::1]:80", "[::1]", "[::1]x:80", "[::1]::80", "a:b:c",
	"[a]b]:1", "a[b:1", "a]b:1", "[a:1", "]a[:1", "[]:1", "127.0.0.1:9091", "waiter.example"}

func TestSplitHostMatchesNet(t *testing.T) {
	for _, h := range hostSeeds {
		checkSplitHost(t, h)
	}
}

func FuzzSplitHost(f *testing.F) {
	for _, h := range hostSeeds {
		f.Add(h)
	}
	f.Fuzz(checkSplitHost)
}

func checkSplitHost(t *testing.T, hostport string) {
	host, ok := splitHost(hostport)
	want, _, err := net.SplitHostPort(hostport)
	if ok != (err == nil) || (ok && host != want) {
		t.Fatalf("splitHost(%q) = %q, %v; net.SplitHostPort says %q, %v", hostport, host, ok, want, err)
	}
}

// A handler asking again gets ServeHTTP's classification; outside
// ServeHTTP it is made afresh.
func TestIsAPIRequestReusesServeHTTPs(t *testing.T) {
	c := newClassifier(nil)
	r := httptest.NewRequest(http.MethodGet, "http://localhost/apps", nil)
	if !isAPIRequest(c, r) {
		t.Fatalf("/apps on the router's own host: not an API call")
	}
	r2, ri := withInfo(r, time.Now())
	ri.api, ri.apiKnown = false, true
	if isAPIRequest(c, r2) {
		t.Errorf("the recorded classification was not used")
	}
}

func TestNewCIDIsFreshHex(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := newCID()
		if len(c) != 24 || strings.Trim(c, "0123456789abcdef") != "" {
			t.Fatalf("cid %q: want 24 hex digits", c)
		}
		if seen[c] {
			t.Fatalf("cid %q made twice", c)
		}
		seen[c] = true
	}
}
