// Package waiterhttp is the HTTP edge of `waiter serve`: it turns HTTP
// requests into work for the router and answers with Waiter's statuses,
// headers and error bodies. It lives in adapters/http and depends on
// github.com/julienschmidt/httprouter for the REST API's route table.
//
// It owns:
//   - classification: whether a request is a Waiter API call or must be
//     proxied to a service (reference 1.1; classify.go);
//   - service resolution for proxied requests: x-waiter-* headers, tokens
//     by x-waiter-token or Host, token maintenance mode, stored overrides,
//     token fallback to the previous healthy service, run-as-user and
//     permitted-user checks, request timeouts (resolve.go, fallback.go,
//     auth.go, timeouts.go), and the bounded caches of the proxy path:
//     resolved descriptions (desccache.go) and the per-service records it
//     reads from the store (servicecache.go), both sized by Config and
//     shown on /metrics (metrics_caches.go). Resolving stores nothing; a
//     description is stored before a request starts its service, after
//     the router confirmed no per-user limit refuses it (startsvc.go);
//   - the proxy: admission through the Router port, streaming bodies both
//     ways under socket and streaming timeouts, header hygiene, x-cid, via
//     and debug headers, and the mapping of backend failures to Waiter's
//     502/504/503 answers and to engine outcomes (proxy.go, forward.go,
//     stream.go, watchdog.go, transport.go, hop.go, debug.go, reqinfo.go);
//   - the event loops' calls (cmd/waiter/internal/loopfront): LoopCall
//     runs the proxy's own stages without blocking for a request a loop
//     serves (loopcall.go), passes an instance's answer of known length
//     with the proxy's header edits made line by line (looprelay.go),
//     and LoopDecisions keeps each loop's proxy decisions for the next
//     requests of the same kind while nothing they read changed
//     (loopdecide.go);
//   - websockets: an Upgrade: websocket request is admitted like any other,
//     its handshake forwarded, and the hijacked connection relayed both
//     ways until either side closes or it idles for the streaming timeout;
//     the grant is held while the socket is open, and open sockets are
//     tracked so that a drain waits for them (websocket.go, hijacked.go);
//   - async requests (Waiter's /waiter-async): a 202 with a relative
//     Location keeps its grant, the Location becomes the router's status
//     URL, a monitor polls the instance until the work completes, and the
//     status, result and complete routes proxy to the instance for the
//     user who made the request (async.go, async_api.go, and the pure
//     rules in async_location.go), in Waiter's v1 and v2 (/waiter-async/
//     v2/..., the instance packed as base64 JSON) URLs (async_v2.go);
//   - gRPC: a gRPC call is proxied like any request over HTTP/2, with
//     te: trailers carried, grpc-timeout bounding the queue, UNAVAILABLE
//     ejecting the instance, and router errors answered as gRPC statuses
//     (grpc.go);
//   - Waiter's REST API: /apps and /apps/{id} with override, suspend,
//     resume and instance kill (api_apps.go, apps_filter.go, apps_view.go,
//     api_service.go), /token and /tokens (api_token.go,
//     token_validate.go), /waiter-ping (api_ping.go), /service-id, /status,
//     /settings (api_misc.go), /state and /state/{id} (api_state.go,
//     state_view.go) and /metrics through prometheus/client_golang
//     (metrics.go, metrics_services.go, buildinfo.go); Waiter's further
//     calls: /apps includes (apps_include.go), /profiles
//     (api_profiles.go), /eject, /ejected and instance expire through the
//     optional waiter.InstanceOperator port (api_eject.go),
//     /apps/{id}/logs over waiter.InstanceFiles (api_logs.go),
//     /tokens?watch=true (tokens_watch.go) and /metrics/external with
//     /state/router-metrics (extmetrics.go, api_extmetrics.go); the route
//     table is in server.go;
//   - failure pages: a service's repeated identical failure reuses its
//     rendered page for a second and logs once (errcache.go);
//   - the dashboard: a read-only page at /dashboard behind the same
//     authentication, plain HTML, JavaScript and CSS with uPlot embedded
//     from dashboard/ (dashboard.go), polling /dashboard/data, which
//     dashboard_view.go builds from the Router's snapshots, the optional
//     waiter.HistoryKeeper port's samples and deployment errors, and the
//     token store;
//   - limits: every request is bounded in size and time (guard.go: API
//     body size and deadlines, API response deadlines, proxied bodies
//     left unread never drained from a stalled client), token names
//     before any store call (token_validate.go) and the tokens an owner
//     may have (token_limits.go);
//   - authentication: every request but the public few (/, /status,
//     /metrics) acts for an authenticated Principal, learnt once per
//     request through the Authenticator port (auth.go); OneUser is
//     Waiter's dev mode and Composite routes by Authorization scheme
//     among several (composite.go); a successful login is remembered in
//     Waiter's x-waiter-auth cookie, AES-GCM sealed under a key derived
//     from the router's secret, with an expiry (authcookie.go); tokens
//     that disable authentication let proxied requests through
//     anonymously (resolve.go); x-waiter-auth-* debug headers;
//   - authorization: Waiter's entitlement rules with configured admins
//     (entitlements.go), and the browser-safety rules every state-changing
//     API call passes first: a foreign Origin is refused unless CORS allows
//     it, and a body must be JSON (origin.go, browser_guard.go);
//   - token rules for proxied requests that act before authentication:
//     https-redirect and CORS preflights answered from cors-rules or the
//     default ServiceCORS policy, never forwarded (proxy_preamble.go,
//     proxy_cors.go); and the interstitial page browsers get while a
//     token service with interstitial-secs has no healthy instance
//     (interstitial.go);
//   - errors: the only place engine error codes and store errors become
//     HTTP statuses (errors.go), rendered as text/plain, JSON or HTML by
//     negotiation (negotiate.go).
//
// It keeps no state that must survive a restart. Its only background
// goroutines are the monitors of async requests (one each, ended by
// StopAsync) and the relays of open websockets. Everything it needs from the rest of the program
// comes through ports: the domain's waiter.Router (the driver; its
// read-only views are waiter.ServiceSnapshot and friends) and waiter.Store
// (tokens and service records), both in the module's root package, and
// its own Authenticator and Entitlements (ports.go), plus a
// github.com/benbjohnson/clock Clock. cmd/waiter wires the driver, the
// bbolt store and the real clock; tests wire fakes. It never imports
// another adapter.
package waiterhttp
