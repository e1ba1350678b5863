// Command fastproxy is the smallest Go reverse proxy proxybench measures:
// fasthttp's Server in front of one backend reached through a
// fasthttp.HostClient (pooled keep-alive connections), with no logic at
// all. It shows the floor a Go proxy with a goroutine per connection (as
// Waiter's is) reaches on the machine, beside nginx and haproxy, so
// Waiter's figures can be read against it.
//
//	fastproxy -listen 127.0.0.1:PORT -backend 127.0.0.1:PORT
package main

import (
	"flag"
	"log"

	"github.com/valyala/fasthttp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (loopback)")
	backend := flag.String("backend", "", "the backend's host:port")
	flag.Parse()
	hc := &fasthttp.HostClient{Addr: *backend, MaxConns: 4096}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		req, resp := &ctx.Request, &ctx.Response
		req.Header.Del("Connection")
		if err := hc.Do(req, resp); err != nil {
			ctx.Error("backend: "+err.Error(), fasthttp.StatusBadGateway)
			return
		}
		resp.Header.Del("Connection")
	}, NoDefaultServerHeader: true, NoDefaultDate: false}
	log.Fatal(srv.ListenAndServe(*listen))
}
