package kitchen

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestParseOptions_Defaults(t *testing.T) {
	o, err := parseOptions(http.Header{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if o.chunked || o.echo || o.actBusy || o.hasDelay || o.hasDieAfter || o.exitAfterResponse ||
		o.failAfter != -1 || o.responseSize != -1 || !o.allowCancel || o.cancelStatus != 204 {
		t.Errorf("defaults %+v", o)
	}
}

func TestParseOptions(t *testing.T) {
	h := http.Header{}
	for k, v := range map[string]string{
		"x-kitchen-act-busy":                "",
		"x-kitchen-echo":                    "",
		"x-kitchen-chunk-size":              "10",
		"x-kitchen-chunk-delay":             "5",
		"x-kitchen-delay-ms":                "250",
		"x-kitchen-die-after-ms":            "0",
		"x-kitchen-fail-after":              "7",
		"x-kitchen-response-size":           "99",
		"x-kitchen-exclude-headers":         "Location, X-Cid",
		"x-kitchen-trailer-grpc-status":     "0",
		"x-kitchen-204-on-async-cancel":     "FALSE",
		"x-kitchen-allow-async-cancel":      "false",
		"x-kitchen-store-async-response-ms": "1000",
		"x-kitchen-default-status-value":    "400",
		"x-kitchen-default-status-timeout":  "3000",
	} {
		h.Set(k, v)
	}
	o, err := parseOptions(h, false)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"act-busy and echo are presence flags, even empty", o.actBusy && o.echo},
		{"chunk size and delay imply chunked", o.chunked && o.chunkSize == 10 && o.chunkDelay == 5*time.Millisecond},
		{"delay", o.hasDelay && o.delay == 250*time.Millisecond},
		{"die-after 0 is set", o.hasDieAfter && o.dieAfter == 0},
		{"fail-after and response-size", o.failAfter == 7 && o.responseSize == 99},
		{"excluded names are lower-cased and trimmed", o.excluded["location"] && o.excluded["x-cid"] && len(o.excluded) == 2},
		{"trailer name loses the prefix", o.trailers.Get("grpc-status") == "0" && len(o.trailers) == 1},
		{"async cancel controls, case-insensitive", o.cancelStatus == 200 && !o.allowCancel},
		{"async linger", o.hasLinger && o.asyncLinger == time.Second},
		{"default status", o.defaultStatus == 400 && o.defaultStatusTimeout == 3*time.Second},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %+v", c.name, o)
		}
	}
}

func TestParseOptions_ChunkedRequest(t *testing.T) {
	o, err := parseOptions(http.Header{}, true)
	if err != nil || !o.chunked {
		t.Fatalf("a chunked request must get a chunked answer: %+v %v", o, err)
	}
	o, err = parseOptions(http.Header{"X-Kitchen-Chunked": {"yes"}}, false)
	if err != nil || o.chunked {
		t.Fatalf("x-kitchen-chunked only means chunked when it is 'true': %+v %v", o, err)
	}
}

func TestParseOptions_RejectsBadIntegers(t *testing.T) {
	for _, name := range []string{
		"x-kitchen-chunk-size", "x-kitchen-chunk-delay", "x-kitchen-delay-ms", "x-kitchen-die-after-ms",
		"x-kitchen-fail-after", "x-kitchen-response-size", "x-kitchen-store-async-response-ms",
		"x-kitchen-pre-trailer-sleep-ms", "x-kitchen-default-status-value",
	} {
		_, err := parseOptions(http.Header{http.CanonicalHeaderKey(name): {"1.5"}}, false)
		if !errors.Is(err, errBadInput) {
			t.Errorf("%s: 1.5 gave %v, want errBadInput", name, err)
		}
	}
}
