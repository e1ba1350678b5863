package jwttest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Issuer signs tokens with one RSA key.
type Issuer struct {
	// Name is the iss claim; Audience the aud claim.
	Name, Audience string
	priv, pub      jwk.Key
}

// New makes an issuer with a fresh 2048-bit RSA key named kid.
func New(name, audience, kid string) (*Issuer, error) {
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("jwttest: %w", err)
	}
	priv, err := jwk.Import(raw)
	if err != nil {
		return nil, fmt.Errorf("jwttest: %w", err)
	}
	if err := priv.Set(jwk.KeyIDKey, kid); err != nil {
		return nil, fmt.Errorf("jwttest: %w", err)
	}
	pub, err := priv.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("jwttest: %w", err)
	}
	return &Issuer{Name: name, Audience: audience, priv: priv, pub: pub}, nil
}

// WriteJWKS writes the public key set to path.
func (i *Issuer) WriteJWKS(path string) error {
	set := jwk.NewSet()
	if err := set.AddKey(i.pub); err != nil {
		return fmt.Errorf("jwttest: %w", err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("jwttest: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("jwttest: %w", err)
	}
	return nil
}

// Token signs a token for subject, valid from issued until expires.
func (i *Issuer) Token(subject string, issued, expires time.Time) (string, error) {
	tok, err := jwt.NewBuilder().Issuer(i.Name).Audience([]string{i.Audience}).Subject(subject).
		IssuedAt(issued).Expiration(expires).Build()
	if err != nil {
		return "", fmt.Errorf("jwttest: %w", err)
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), i.priv))
	if err != nil {
		return "", fmt.Errorf("jwttest: %w", err)
	}
	return string(b), nil
}
