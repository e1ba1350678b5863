package config

import (
	"strings"
	"testing"
)

func TestTLSValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  TLS
		want string
	}{
		{"off", TLS{}, ""},
		{"both files", TLS{CertFile: "c.pem", KeyFile: "k.pem", Port: 9443}, ""},
		{"cert only", TLS{CertFile: "c.pem"}, "tls needs both cert-file and key-file"},
		{"key only", TLS{KeyFile: "k.pem"}, "tls needs both cert-file and key-file"},
		{"bad port", TLS{CertFile: "c.pem", KeyFile: "k.pem", Port: 70000}, "tls.port must be between 0 and 65535"},
	} {
		cfg := Default()
		cfg.TLS = tc.tls
		err := cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	cfg, err := Decode(strings.NewReader("tls:\n  cert-file: /c.pem\n  key-file: /k.pem\n  port: 9443\n"), Default())
	if err != nil || cfg.TLS != (TLS{CertFile: "/c.pem", KeyFile: "/k.pem", Port: 9443}) {
		t.Errorf("decoding tls: %+v %v", cfg.TLS, err)
	}
}
