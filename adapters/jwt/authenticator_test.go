package jwt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// refused asserts that token is refused with a reason containing want
// and RFC 6750's invalid_token challenge carrying that reason.
func refused(t *testing.T, a *Authenticator, token, want string) {
	t.Helper()
	id, err := a.Authenticate(bearerRequest(token))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Authenticate = %+v, %v; want an *Error saying %q", id, err, want)
	}
	if !strings.Contains(e.Reason, want) {
		t.Errorf("reason %q, want it to say %q", e.Reason, want)
	}
	wantChallenge := `Bearer realm="router.test", error="invalid_token", error_description="` + quotable(e.Reason) + `"`
	if e.Challenges[0] != wantChallenge {
		t.Errorf("challenge %q, want %q", e.Challenges[0], wantChallenge)
	}
}

func TestValidTokenNamesItsUser(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	c := claims(clk.Now())
	id, err := a.Authenticate(bearerRequest(k1.sign(t, c)))
	if err != nil {
		t.Fatalf("a valid token was refused: %v", err)
	}
	if id.User != "alice" || id.Subject != "alice@example.test" || !id.Expires.Equal(time.Unix(c["exp"].(int64), 0)) {
		t.Errorf("identity %+v, want user alice, subject alice@example.test and the token's exp", id)
	}
}

func TestSchemeIsCaseInsensitiveAndCommaSeparated(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	r := bearerRequest("")
	r.Header.Set("Authorization", "Negotiate abc, bearer "+k1.sign(t, claims(clk.Now())))
	if id, err := a.Authenticate(r); err != nil || id.User != "alice" {
		t.Fatalf("Authenticate = %+v, %v; want alice from the second entry", id, err)
	}
}

func TestNoTokenIsChallenged(t *testing.T) {
	a, _ := fileAuthenticator(t, newClock(), nil, newRSASigner(t, "k1"))
	_, err := a.Authenticate(bearerRequest(""))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if e.Challenges[0] != `Bearer realm="router.test"` || !strings.Contains(e.Reason, "no bearer token") {
		t.Errorf("got reason %q challenge %q; want no bearer token and a plain realm challenge", e.Reason, e.Challenges[0])
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, func(c *Config) { c.ClockSkew = 30 * time.Second }, k1)
	c := claims(clk.Now())
	c["exp"] = clk.Now().Add(-31 * time.Second).Unix()
	refused(t, a, k1.sign(t, c), "the token has expired")

	c["exp"] = clk.Now().Add(-29 * time.Second).Unix() // within the skew
	if _, err := a.Authenticate(bearerRequest(k1.sign(t, c))); err != nil {
		t.Errorf("a token expired 29 s ago was refused with a 30 s skew: %v", err)
	}
}

func TestNotYetValidBeyondSkewIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, func(c *Config) { c.ClockSkew = 30 * time.Second }, k1)
	c := claims(clk.Now())
	c["nbf"] = clk.Now().Add(time.Minute).Unix()
	refused(t, a, k1.sign(t, c), "not valid yet")

	c["nbf"] = clk.Now().Add(20 * time.Second).Unix()
	if _, err := a.Authenticate(bearerRequest(k1.sign(t, c))); err != nil {
		t.Errorf("a token valid in 20 s was refused with a 30 s skew: %v", err)
	}
}

func TestWrongIssuerIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	c := claims(clk.Now())
	c["iss"] = "https://evil.test"
	refused(t, a, k1.sign(t, c), `the token's issuer is not "https://issuer.test"`)
}

func TestWrongAudienceIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	c := claims(clk.Now())
	c["aud"] = "another-service"
	refused(t, a, k1.sign(t, c), `the token's audience does not include "waiter.test"`)
}

func TestMissingExpiryIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	c := claims(clk.Now())
	delete(c, "exp")
	refused(t, a, k1.sign(t, c), "no expiry")
}

func TestSubjectClaimIsConfigurable(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, func(c *Config) { c.SubjectClaim = "upn" }, k1)
	c := claims(clk.Now())
	c["upn"] = "bob@corp.test"
	if id, err := a.Authenticate(bearerRequest(k1.sign(t, c))); err != nil || id.User != "bob" {
		t.Fatalf("Authenticate = %+v, %v; want bob from the upn claim", id, err)
	}
	delete(c, "upn")
	refused(t, a, k1.sign(t, c), "the token has no upn claim")
}

func TestAlgNoneIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	refused(t, a, unsigned(t, map[string]any{"alg": "none", "kid": "k1", "typ": "JWT"}, claims(clk.Now())),
		`algorithm "none" is not allowed`)
}

// HS/RS confusion: an attacker who knows the RSA public key HMACs a token
// with the key's PEM bytes and names the RSA key's kid, hoping the
// verifier feeds those bytes to HMAC.
func TestHS256WithThePublicKeyIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	forged := &signer{kid: "k1", alg: jwa.HS256()}
	hmacKey := k1.rsaPublicPEM(t)
	tok := jwt.New()
	for k, v := range claims(clk.Now()) {
		if k == "exp" || k == "iat" {
			v = time.Unix(v.(int64), 0)
		}
		_ = tok.Set(k, v)
	}
	b, err := jwt.Sign(tok, jwt.WithKey(forged.alg, hmacKey, jws.WithProtectedHeaders(kidHeader(t, "k1"))))
	if err != nil {
		t.Fatal(err)
	}
	refused(t, a, string(b), `algorithm "HS256" is not allowed`)
}

// Even an allowed algorithm must fit the key its kid names.
func TestKeyTypeMustFitTheAlgorithm(t *testing.T) {
	clk := newClock()
	rsaKey := newRSASigner(t, "shared")
	a, _ := fileAuthenticator(t, clk, nil, rsaKey)
	ec := newECSigner(t, "shared") // same kid, EC key: the JWKS holds the RSA one
	refused(t, a, ec.sign(t, claims(clk.Now())), `key "shared" is a RSA key, which cannot verify ES256`)
}

func TestForgedSignatureIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	impostor := newRSASigner(t, "k1") // another key under the published kid
	refused(t, a, impostor.sign(t, claims(clk.Now())), "signature does not verify")
}

func TestUnknownKidIsRefused(t *testing.T) {
	clk := newClock()
	k1 := newRSASigner(t, "k1")
	a, _ := fileAuthenticator(t, clk, nil, k1)
	refused(t, a, newRSASigner(t, "k9").sign(t, claims(clk.Now())), `no key "k9" in the key set`)
}

func TestMalformedTokensAreRefused(t *testing.T) {
	a, _ := fileAuthenticator(t, newClock(), nil, newRSASigner(t, "k1"))
	refused(t, a, "not-a-jwt", "not a JWT")
	refused(t, a, "a.b.c", "malformed")
}

func TestConfigValidation(t *testing.T) {
	cases := map[string]struct {
		cfg  Config
		want []string
	}{
		"no keys": {Config{Issuer: "i", Audience: "a"}, []string{"set jwks-file or jwks-url"}},
		"both key sources": {Config{JWKSFile: "f", JWKSURL: "http://127.0.0.1/k", Issuer: "i", Audience: "a"},
			[]string{"only one of jwks-file and jwks-url"}},
		"bad url":         {Config{JWKSURL: "ftp://x", Issuer: "i", Audience: "a"}, []string{"jwks-url must be an http or https URL"}},
		"no issuer":       {Config{JWKSFile: "f", Audience: "a"}, []string{"issuer must be set"}},
		"no audience":     {Config{JWKSFile: "f", Issuer: "i"}, []string{"audience must be set"}},
		"symmetric":       {Config{JWKSFile: "f", Issuer: "i", Audience: "a", Algorithms: []string{"RS256", "HS256", "none"}}, []string{`"HS256", "none" not allowed`}},
		"negative skew":   {Config{JWKSFile: "f", Issuer: "i", Audience: "a", ClockSkew: -time.Second}, []string{"clock-skew must be between"}},
		"tiny refresh":    {Config{JWKSFile: "f", Issuer: "i", Audience: "a", Refresh: time.Millisecond}, []string{"jwks-refresh must be at least 1s"}},
		"several at once": {Config{}, []string{"set jwks-file or jwks-url", "issuer must be set", "audience must be set"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatalf("Validate accepted %+v", tc.cfg)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	ok := Config{JWKSFile: "f", Issuer: "i", Audience: "a", Algorithms: []string{"RS256", "PS512", "EdDSA"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate refused a good configuration: %v", err)
	}
}
