package acceptance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Every test router also listens for TLS (config tls: cert-file,
// key-file, port 0) with a certificate the harness makes for 127.0.0.1;
// the suite's TLS clients trust it and nothing else.

var (
	tlsCertPath, tlsKeyPath string
	tlsRoots                *x509.CertPool
)

// setupTLS makes the routers' certificate and key in dir.
func setupTLS(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "waiter acceptance"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(12 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("tls certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("tls certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("tls key: %w", err)
	}
	tlsCertPath, tlsKeyPath = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(tlsCertPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(tlsKeyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	tlsRoots = x509.NewCertPool()
	tlsRoots.AddCert(cert)
	return nil
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
