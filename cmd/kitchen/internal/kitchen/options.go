package kitchen

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// errBadInput marks a request the kitchen refuses with 400. The original
// crashed the request thread on such input (an unparsable integer), which a
// client saw as a dropped connection; a 400 naming the header is easier to
// debug and is never what a test wants to provoke.
var errBadInput = errors.New("kitchen: bad request")

// trailerPrefix marks request headers that ask for a response trailer:
// "x-kitchen-trailer-foo: bar" sends trailer "foo: bar" (chunked responses only).
const trailerPrefix = "x-kitchen-trailer-"

// options is the parsed form of a request's x-kitchen-* headers. Parsing is
// kept apart from acting on them (apply.go) so that every value is checked
// before the first side effect (a sleep, an exit timer).
type options struct {
	// chunked asks for a chunked response: x-kitchen-chunked: true, a chunk
	// size or delay, or a chunked request body.
	chunked    bool
	chunkSize  int // 0 keeps the default
	chunkDelay time.Duration

	contentType string // "" keeps the path's content type
	cookies     [][2]string

	delay    time.Duration // sleep before reading the body; async: processing time
	hasDelay bool

	dieAfter    time.Duration // exit the process this long after the request arrives
	hasDieAfter bool

	echo              bool // answer with the request body
	actBusy           bool // answer 503
	excluded          map[string]bool
	failAfter         int64 // -1: send the whole body
	exitAfterResponse bool  // x-kitchen-fail-by-terminating-jvm
	responseSize      int64 // -1: the path decides

	trailerDelay time.Duration
	trailers     http.Header

	defaultStatus        int // 0: leave the default status alone
	defaultStatusTimeout time.Duration

	// Async controls, meaningful only on /async/* paths.
	asyncID      string
	asyncLinger  time.Duration
	hasLinger    bool
	allowCancel  bool
	cancelStatus int
}

// parseOptions reads every x-kitchen-* header of h and the request's own
// framing (a chunked request gets a chunked answer). Integers must be
// non-negative, except x-kitchen-die-after-ms where the original ignores a
// negative value.
func parseOptions(h http.Header, requestChunked bool) (options, error) {
	o := options{
		chunked:      requestChunked,
		failAfter:    -1,
		responseSize: -1,
		allowCancel:  true,
		cancelStatus: http.StatusNoContent,
		excluded:     map[string]bool{},
		trailers:     http.Header{},
	}
	var err error
	p := headerParser{h: h}

	o.actBusy = p.present("x-kitchen-act-busy")
	o.echo = p.present("x-kitchen-echo")
	o.exitAfterResponse = p.present("x-kitchen-fail-by-terminating-jvm")
	if strings.EqualFold(h.Get("x-kitchen-chunked"), "true") {
		o.chunked = true
	}
	if strings.EqualFold(h.Get("x-kitchen-204-on-async-cancel"), "false") {
		o.cancelStatus = http.StatusOK
	}
	if strings.EqualFold(h.Get("x-kitchen-allow-async-cancel"), "false") {
		o.allowCancel = false
	}
	o.contentType = h.Get("x-kitchen-content-type")
	o.asyncID = h.Get("x-kitchen-request-id")
	if v := h.Get("x-kitchen-cookies"); v != "" {
		o.cookies = parseCookies(v)
	}
	if v := h.Get("x-kitchen-exclude-headers"); v != "" {
		for _, name := range strings.Split(v, ",") {
			o.excluded[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	for name, values := range h {
		if rest, ok := strings.CutPrefix(strings.ToLower(name), trailerPrefix); ok && rest != "" && len(values) > 0 {
			o.trailers.Set(rest, values[len(values)-1])
		}
	}

	var n int64
	var ok bool
	if n, ok, err = p.count("x-kitchen-chunk-size"); err != nil {
		return options{}, err
	} else if ok {
		o.chunkSize, o.chunked = int(min(n, maxResponseSize)), true
	}
	if o.chunkDelay, ok, err = p.millis("x-kitchen-chunk-delay"); err != nil {
		return options{}, err
	} else if ok {
		o.chunked = true
	}
	if o.delay, o.hasDelay, err = p.millis("x-kitchen-delay-ms"); err != nil {
		return options{}, err
	}
	if o.dieAfter, o.hasDieAfter, err = p.dieAfter(); err != nil {
		return options{}, err
	}
	if n, ok, err = p.count("x-kitchen-fail-after"); err != nil {
		return options{}, err
	} else if ok {
		o.failAfter = n
	}
	if n, ok, err = p.count("x-kitchen-response-size"); err != nil {
		return options{}, err
	} else if ok {
		o.responseSize = n
	}
	if o.asyncLinger, o.hasLinger, err = p.millis("x-kitchen-store-async-response-ms"); err != nil {
		return options{}, err
	}
	if o.trailerDelay, _, err = p.millis("x-kitchen-pre-trailer-sleep-ms"); err != nil {
		return options{}, err
	}
	if v := h.Get("x-kitchen-default-status-value"); v != "" {
		if o.defaultStatus, err = parseStatus("x-kitchen-default-status-value", v); err != nil {
			return options{}, err
		}
		if o.defaultStatusTimeout, _, err = p.millis("x-kitchen-default-status-timeout"); err != nil {
			return options{}, err
		}
	}
	return o, nil
}
