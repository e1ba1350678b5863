// Package h1serve serves an http.Handler over HTTP/1.1 connections with
// less machinery per request than net/http's server: the handler runs on
// the connection's goroutine, the response is framed straight into the
// connection's buffered writer, and the client is watched for going away
// only when a request outlasts watchAfter (net/http starts a background
// read, a goroutine, for every request).
//
// It is the router's fast front (cmd/waiter/internal/serve) for plain
// proxied requests. A plain head (the common, unambiguous subset:
// parse.go) is parsed once into the connection's own Request, URL and
// header map, with the same result as net/http's parser
// (FuzzParseAsReadRequest holds it to that); any other head is parsed by
// net/http's own parser (http.ReadRequest), which refuses what it
// refuses, as before. Head parses such heads for a front that holds the
// bytes itself (the router's event loops), and gives their header lines
// in wire order too (Head.Fields), for the front to walk instead of the
// map. It checks requests as net/http's server does, and
// frames responses as net/http's server does (Date, Content-Length for a
// short body the handler finished, a sniffed Content-Type, chunked
// encoding with trailers otherwise, Connection: close), so a handler
// cannot tell the two apart, but for one thing: the requests of a
// connection share one context, canceled when the client goes away or
// the connection ends, not as each handler returns, and they reuse the
// connection's ResponseWriter and its header map. A handler keeps
// nothing of its request past its return (net/http's contract), so this
// changes nothing for it and saves allocations on every request. It
// does not hijack, upgrade or speak HTTP/2: the caller routes those
// connections to net/http (see h1guard.Split).
//
// A keep-alive connection idle for Server.ParkAfter ends ServeParkable
// with End.Park, between requests and holding nothing of its own, so that
// its caller can wait for its next request without the goroutine (and
// the stack the request path grew): the router parks it in an
// internal/connpark Lot and serves it again, as a new connection, when
// its next bytes come.
package h1serve
