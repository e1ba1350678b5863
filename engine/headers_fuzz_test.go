package engine

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"
)

// FuzzParseHeaders feeds ParseHeaders arbitrary header names and values,
// one "name: value" per line, and the description the request would name.
// Header values reach the router as bytes (HTTP allows obs-text), so they
// need not be UTF-8. Properties: no panic; a refusal is a *ValidationError
// naming x-waiter-* headers the request carried; every service parameter
// parsed is a known one; and the description resolved from the headers
// passes checkDescription.
func FuzzParseHeaders(f *testing.F) {
	kitchen := "x-waiter-cmd: kitchen -p $PORT0\nx-waiter-cpus: 0.1\nx-waiter-mem: 256\nx-waiter-version: v1\n"
	for _, seed := range []string{
		kitchen,
		kitchen + "x-waiter-name: My App\nx-waiter-env-foo: bar\nx-waiter-metadata-team: core\nx-waiter-token: a, b\n",
		kitchen + "x-waiter-allowed-params: FOO,BAR\nx-waiter-param-foo: 1\nx-waiter-debug: true\n",
		kitchen + "x-waiter-queue-timeout: 5000\nx-waiter-timeout: 99999999999\nx-waiter-fallback-period-secs: 10\n",
		kitchen + "x-waiter-max-instances: [1]\nx-waiter-env: {\"A\":\"b\"}\nx-waiter-min-instances: 1e3\n",
		kitchen + "X-Waiter-Idle-Timeout-Mins: 0\nx-waiter-maintenance: x\nx-waiter-unknown: 1\nAccept: */*\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h := headerLines(raw)
		hp, err := ParseHeaders(h)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("refusal is %T (%v), want a *ValidationError naming headers", err, err)
			}
			sent := map[string]bool{}
			for k := range h {
				sent[strings.ToLower(k)] = true
			}
			for _, fe := range ve.Fields {
				if !strings.HasPrefix(fe.Field, HeaderPrefix) || !sent[fe.Field] {
					t.Fatalf("refusal names %q, which the request did not carry", fe.Field)
				}
			}
			return
		}
		for k := range hp.Service {
			if !IsServiceParam(k) {
				t.Fatalf("parsed unknown service parameter %q", k)
			}
		}
		d, err := ResolveDescription(Source{Headers: hp, Requester: "fuzzer"}, fuzzDescriptionOptions)
		checkDescription(t, d, err, fuzzDescriptionOptions)
	})
}

// headerLines turns "name: value" lines into a header map the way net/http
// hands one over: canonical names, values trimmed of surrounding blanks.
func headerLines(raw string) map[string][]string {
	h := map[string][]string{}
	for _, line := range strings.Split(raw, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		h[key] = append(h[key], strings.Trim(value, " \t\r"))
	}
	return h
}
