package jwt

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Config is what an Authenticator checks tokens against.
type Config struct {
	// JWKSFile is a JSON Web Key Set on disk; it is re-read when it
	// changes (checked at most once per Refresh). Exactly one of JWKSFile
	// and JWKSURL is set.
	JWKSFile string
	// JWKSURL is an http(s) URL serving the key set; jwx's jwk.Cache
	// fetches it at start and again every Refresh.
	JWKSURL string
	// Refresh is how often the key set is refreshed (default 10 minutes).
	Refresh time.Duration
	// Issuer must equal the token's iss claim.
	Issuer string
	// Audience must be one of the token's aud values.
	Audience string
	// Algorithms are the allowed alg values (default DefaultAlgorithms).
	Algorithms []string
	// ClockSkew is the leeway on exp, nbf and iat (default 0).
	ClockSkew time.Duration
	// SubjectClaim names the claim that holds the principal (default
	// "sub").
	SubjectClaim string
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// HTTPClient fetches JWKSURL (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// Logger receives key-set refresh failures; nil discards them.
	Logger *slog.Logger
}

// Defaults of the optional settings.
const (
	DefaultRefresh      = 10 * time.Minute
	DefaultSubjectClaim = "sub"
	// missRefreshEvery bounds the early refreshes that tokens naming an
	// unknown key cause, so random kids cannot make the router hammer the
	// key server.
	missRefreshEvery = 10 * time.Second
	fetchTimeout     = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Refresh <= 0 {
		c.Refresh = DefaultRefresh
	}
	if c.SubjectClaim == "" {
		c.SubjectClaim = DefaultSubjectClaim
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: fetchTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every setting that cannot work, at once, each naming
// its key as the configuration file spells it (jwt.<key>).
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.JWKSFile == "" && c.JWKSURL == "":
		errs = append(errs, errors.New("jwt: set jwks-file or jwks-url (the keys tokens are signed with)"))
	case c.JWKSFile != "" && c.JWKSURL != "":
		errs = append(errs, errors.New("jwt: set only one of jwks-file and jwks-url"))
	case c.JWKSURL != "":
		if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("jwt: jwks-url must be an http or https URL (got %q)", c.JWKSURL))
		}
	}
	if c.Issuer == "" {
		errs = append(errs, errors.New("jwt: issuer must be set (tokens from any other issuer are refused)"))
	}
	if c.Audience == "" {
		errs = append(errs, errors.New("jwt: audience must be set (tokens meant for another audience are refused)"))
	}
	if _, err := newAlgorithmSet(c.Algorithms); err != nil {
		errs = append(errs, fmt.Errorf("jwt: %w", err))
	}
	if c.ClockSkew < 0 || c.ClockSkew > 5*time.Minute {
		errs = append(errs, fmt.Errorf("jwt: clock-skew must be between 0s and 5m (got %s)", c.ClockSkew))
	}
	if c.Refresh < 0 || (c.Refresh > 0 && c.Refresh < time.Second) {
		errs = append(errs, fmt.Errorf("jwt: jwks-refresh must be at least 1s (got %s)", c.Refresh))
	}
	return errors.Join(errs...)
}
