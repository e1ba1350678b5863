package config

import (
	"strings"
	"testing"
	"time"
)

func TestServiceCORSDecodes(t *testing.T) {
	cfg, err := Decode(strings.NewReader(`service-cors:
  allowed-origins: ["https://[a-z]+\\.corp\\.example"]
  allowed-methods: [GET, POST]
  allowed-headers: [x-a]
  allow-credentials: true
  max-age: 90s
`), Default())
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.ServiceCORS
	if len(c.AllowedOrigins) != 1 || c.AllowedOrigins[0] != `https://[a-z]+\.corp\.example` || len(c.AllowedMethods) != 2 ||
		len(c.AllowedHeaders) != 1 || !c.AllowCredentials || c.MaxAge != 90*time.Second {
		t.Fatalf("decoded service-cors %+v", c)
	}
	if len(Default().ServiceCORS.AllowedOrigins) != 0 {
		t.Fatal("the default policy allows some origin")
	}
}

func TestServiceCORSValidation(t *testing.T) {
	cfg := Default()
	cfg.ServiceCORS = ServiceCORS{AllowedOrigins: []string{"https://ok", "(bad"}, MaxAge: -time.Second}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "service-cors allowed-origins[1]") || !strings.Contains(err.Error(), "service-cors max-age") {
		t.Fatalf("Validate() = %v, want errors naming allowed-origins[1] and max-age", err)
	}
}
