package config

import (
	"fmt"
	"regexp"
	"time"
)

// ServiceCORS is the default CORS policy of proxied requests whose
// tokens set no cors-rules (Waiter's cors-config for services). Empty:
// no foreign page may call a service.
type ServiceCORS struct {
	// AllowedOrigins are regular expressions an Origin must match in
	// full, e.g. "https://[a-z]+\\.corp\\.example".
	AllowedOrigins []string `yaml:"allowed-origins"`
	// AllowedMethods limits the methods; empty: any.
	AllowedMethods []string `yaml:"allowed-methods"`
	// AllowedHeaders are the request headers a page may send; empty:
	// whatever its preflight asks for.
	AllowedHeaders []string `yaml:"allowed-headers"`
	// AllowCredentials lets pages send cookies and read the answers.
	AllowCredentials bool `yaml:"allow-credentials"`
	// MaxAge is how long a browser may cache a preflight; default 1h.
	MaxAge time.Duration `yaml:"max-age"`
}

// validate names the first origin pattern that does not compile.
func (c ServiceCORS) validate() []error {
	var errs []error
	for i, o := range c.AllowedOrigins {
		if _, err := regexp.Compile(o); err != nil {
			errs = append(errs, fmt.Errorf("service-cors allowed-origins[%d] %q is not a regular expression: %w", i, o, err))
		}
	}
	if c.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("service-cors max-age must not be negative (got %s)", c.MaxAge))
	}
	return errs
}
