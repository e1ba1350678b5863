package serve

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// A taken port, the router's own or debug-listen's, fails the start at
// once, naming it.
func TestRunFailsFastOnTakenPort(t *testing.T) {
	for name, take := range map[string]func(*config.Config, string){
		"port":         func(c *config.Config, addr string) { _, p, _ := net.SplitHostPort(addr); c.Port, _ = strconv.Atoi(p) },
		"debug-listen": func(c *config.Config, addr string) { c.DebugListen = addr },
	} {
		t.Run(name, func(t *testing.T) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.Host = "127.0.0.1"
			cfg.Port = 0
			take(&cfg, taken.Addr().String())
			err = Run(context.Background(), Options{Config: cfg, Clock: clock.New(), Logger: slog.New(slog.DiscardHandler)})
			_, port, _ := net.SplitHostPort(taken.Addr().String())
			if err == nil || !strings.Contains(err.Error(), port) || (name == "debug-listen" && !strings.Contains(err.Error(), "debug-listen")) {
				t.Fatalf("Run with %s on a taken port: %v", name, err)
			}
		})
	}
}

// Clients may speak HTTP/2 without TLS (h2c) to the router.
func TestH2CClient(t *testing.T) {
	r := startRouter(t, nil)
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: p}}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("POST", r.url+"/echo", strings.NewReader("over h2c"))
	for i, h := 0, service("h2c", "x-kitchen-echo", "1", "x-waiter-debug", "1"); i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || string(body) != "over h2c" || resp.Header.Get("x-waiter-client-protocol") != "HTTP/2.0" {
		t.Errorf("%s %d %q client-protocol %q", resp.Proto, resp.StatusCode, body, resp.Header.Get("x-waiter-client-protocol"))
	}
}

// A TLS listener whose certificate cannot be loaded fails the start,
// naming the file, before anything runs.
func TestRunFailsFastOnBadTLSCertificate(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Port = 0
	cfg.TLS = config.TLS{CertFile: dir + "/missing.crt", KeyFile: dir + "/missing.key"}
	err := Run(context.Background(), Options{Config: cfg, Clock: clock.New(), Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "tls") || !strings.Contains(err.Error(), "missing.crt") {
		t.Fatalf("Run with a missing certificate: %v, want an error naming the tls certificate", err)
	}
}
