// Package healthcheck is Waiter's own health check of an instance
// (reference 5.2): GET <url> with x-waiter-request-type: health-check,
// healthy on 2xx, and the facts deployment errors are computed from
// (connected, responded, timed out, TLS failure) as engine flags. The
// shell scheduler probes its processes with it, and the Marathon adapter
// probes instances Marathon does not yet call healthy. The shell
// scheduler checks a starting instance over a connection it opened itself
// (CheckOver), which comes back open after a healthy answer that can
// carry another request, for the proxy's first request to the instance
// (internal/warmconn).
package healthcheck
