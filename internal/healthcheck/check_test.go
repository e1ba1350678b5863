package healthcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-waiter-request-type") != "health-check" {
			w.WriteHeader(400)
			return
		}
		switch r.URL.Path {
		case "/ok":
		case "/auth":
			w.WriteHeader(401)
		case "/slow":
			time.Sleep(time.Second)
		}
	}))
	defer srv.Close()
	p := New(200*time.Millisecond, "test")
	defer p.Close()
	both := engine.FlagHasConnected | engine.FlagHasResponded
	if r := p.Check(context.Background(), srv.URL+"/ok"); !r.Healthy() || r.Status != 200 || r.Flags != both {
		t.Errorf("ok: %+v", r)
	}
	if r := p.Check(context.Background(), srv.URL+"/auth"); r.Healthy() || r.Status != 401 || r.Flags != both {
		t.Errorf("401: %+v", r)
	}
	if r := p.Check(context.Background(), srv.URL+"/slow"); r.Healthy() ||
		r.Flags != engine.FlagHasConnected|engine.FlagTimeoutException {
		t.Errorf("slow: %+v", r)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	if r := p.Check(context.Background(), "http://"+addr+"/"); r.Healthy() || r.Flags&engine.FlagHasConnected != 0 {
		t.Errorf("refused: %+v", r)
	}
}
