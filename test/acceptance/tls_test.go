package acceptance

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// Every test router also listens for TLS (config tls: cert-file,
// key-file, port 0) with a certificate the harness makes for 127.0.0.1;
// the suite's TLS clients trust it and nothing else.

var (
	tlsCertPath, tlsKeyPath string
	tlsRoots                *x509.CertPool
)

// setupTLS makes the routers' certificate and key in dir.
func setupTLS(dir string) (err error) {
	tlsCertPath, tlsKeyPath, tlsRoots, err = e2ekit.WriteTLSCert(dir)
	return err
}

// tlsConfig is the routers' tls: section.
func tlsConfig() string {
	return fmt.Sprintf("tls:\n  cert-file: %q\n  key-file: %q\n  port: 0\n", tlsCertPath, tlsKeyPath)
}

// tlsURL is https://<the router's TLS address>.
func (r *router) tlsURL() string {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	return "https://" + r.tlsAddr
}

// clientTLS trusts the routers' certificate only.
func clientTLS(alpn ...string) *tls.Config {
	return &tls.Config{RootCAs: tlsRoots, NextProtos: alpn, MinVersion: tls.VersionTLS12}
}

// h2Client speaks HTTP/2 over TLS (ALPN h2) to the TLS listener;
// h2cClient speaks HTTP/2 with prior knowledge to the plain one. Both
// authenticate as the suite's user.
// They are made on first use, once setupTLS has made the certificate.
var (
	h2Client  = sync.OnceValue(func() *http.Client { return protoClient(func(p *http.Protocols) { p.SetHTTP2(true) }) })
	h2cClient = sync.OnceValue(func() *http.Client {
		return protoClient(func(p *http.Protocols) { p.SetUnencryptedHTTP2(true) })
	})
)

func protoClient(set func(*http.Protocols)) *http.Client {
	p := new(http.Protocols)
	set(p)
	return &http.Client{
		Transport: bearerTransport{base: &http.Transport{Protocols: p, TLSClientConfig: clientTLS(),
			DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, DisableCompression: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       requestTimeout,
	}
}
