package config

import (
	"errors"
	"fmt"
)

// TLS is the router's TLS listener: HTTPS with ALPN h2 and http/1.1 (so
// HTTP/2 and gRPC clients, and wss websockets), beside the plain
// listener, on the same host and serving the same requests.
type TLS struct {
	// CertFile and KeyFile (PEM) turn the listener on; both or neither.
	CertFile string `yaml:"cert-file"`
	KeyFile  string `yaml:"key-file"`
	// Port to listen on; 0 lets the kernel choose (the address is
	// logged: "waiter serve: listening for TLS").
	Port int `yaml:"port"`
}

// Enabled reports whether the TLS listener is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

func (t TLS) validate() []error {
	var errs []error
	if t.Enabled() && (t.CertFile == "" || t.KeyFile == "") {
		errs = append(errs, errors.New("tls needs both cert-file and key-file"))
	}
	if t.Port < 0 || t.Port > 65535 {
		errs = append(errs, fmt.Errorf("tls.port must be between 0 and 65535 (got %d)", t.Port))
	}
	return errs
}
