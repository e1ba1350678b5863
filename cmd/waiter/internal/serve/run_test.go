package serve

import (
	"context"
	"crypto/tls"
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
	echoOverHTTP2(t, h2cTransport(), r.url, "h2c")
}

// echoOverHTTP2 posts a body through the router at url with transport
// and checks that it came back over HTTP/2, both ways: the answer's
// protocol and the one the router says the client spoke.
func echoOverHTTP2(t *testing.T, transport *http.Transport, url, name string) {
	t.Helper()
	client := &http.Client{Transport: transport}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("POST", url+"/echo", strings.NewReader("over "+name))
	setHeaders(req, service(name, "x-kitchen-echo", "1", "x-waiter-debug", "1"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || string(body) != "over "+name || resp.Header.Get("x-waiter-client-protocol") != "HTTP/2.0" {
		t.Errorf("%s: %s %d %q client-protocol %q", name, resp.Proto, resp.StatusCode, body, resp.Header.Get("x-waiter-client-protocol"))
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

// With a TLS listener, the router serves HTTP/2 over TLS (ALPN h2) and,
// on the plain listener beside it, still h2c: one http.Server serves
// both, and its TLS settings are in place before either listener serves
// (set after the plain one began, they were a data race that this test
// reports under -race).
func TestTLSListenerBesidePlainOne(t *testing.T) {
	withTLS, tlsAddr, roots := tlsListener(t)
	r := startRouter(t, nil, withTLS)
	awaitAccepts(t, tlsAddr)
	h2 := new(http.Protocols)
	h2.SetHTTP2(true)
	echoOverHTTP2(t, &http.Transport{Protocols: h2,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}, "https://"+tlsAddr, "tls")
	echoOverHTTP2(t, h2cTransport(), r.url, "h2c")
}
