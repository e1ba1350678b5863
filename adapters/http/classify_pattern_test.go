package waiterhttp

import (
	"regexp"
	"testing"
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
