package jwt

import (
	"context"
	"errors"
	"fmt"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/authheader"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Scheme is the Authorization scheme this package reads.
const Scheme = "Bearer"

// Identity is who a valid token says sent the request.
type Identity struct {
	// User is the subject up to its first "@" (Waiter's
	// principal->username): "alice@example.com" acts as "alice".
	User string
	// Subject is the whole subject claim.
	Subject string
	// Expires is the token's exp.
	Expires time.Time
}

// Error is a refused request: the domain's AuthError, with Scheme "jwt"
// and one challenge.
type Error = waiter.AuthError

// Authenticator checks bearer tokens; it is safe for concurrent use.
type Authenticator struct {
	cfg  Config
	algs algorithmSet
	src  keySource
	keys *keyRing
}

// New validates cfg and loads the key set (fetching it when it comes from
// a URL, bounded by ctx). Close stops the background refresh.
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	algs, err := newAlgorithmSet(cfg.Algorithms)
	if err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	var src keySource
	if cfg.JWKSFile != "" {
		src, err = newFileSource(cfg.JWKSFile, cfg.Refresh, cfg.Now)
	} else {
		src, err = newURLSource(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	return &Authenticator{cfg: cfg, algs: algs, src: src, keys: &keyRing{src: src, now: cfg.Now}}, nil
}

// Close stops refreshing the key set.
func (a *Authenticator) Close() error { return a.src.close() }

// Scheme is the Authorization scheme the authenticator reads.
func (a *Authenticator) Scheme() string { return Scheme }

// Authenticate checks the request's bearer token.
func (a *Authenticator) Authenticate(r *http.Request) (Identity, error) {
	token := authheader.Credential(r.Header, Scheme)
	if token == "" {
		return Identity{}, &Error{Scheme: "jwt", Reason: "no bearer token in the Authorization header", Challenges: []string{challenge(r, "")}}
	}
	id, reason, err := a.verify(r.Context(), token)
	if reason != "" {
		return Identity{}, &Error{Scheme: "jwt", Reason: reason, Challenges: []string{challenge(r, reason)}, Err: err}
	}
	return id, nil
}

// verify checks one token; a non-empty reason means it is refused.
func (a *Authenticator) verify(ctx context.Context, token string) (Identity, string, error) {
	if strings.Count(token, ".") != 2 {
		return Identity{}, "the bearer token is not a JWT (header.payload.signature)", nil
	}
	// jwx parses the token once and asks keys for the key of each
	// signature; keys applies this package's rules to its header first.
	keys := &keyChooser{a: a}
	tok, err := jwt.ParseString(token,
		jwt.WithKeyProvider(keys),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(a.cfg.Now)),
		jwt.WithAcceptableSkew(a.cfg.ClockSkew),
		jwt.WithIssuer(a.cfg.Issuer),
		jwt.WithAudience(a.cfg.Audience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
	)
	if keys.reason != "" {
		return Identity{}, keys.reason, keys.err
	}
	if err != nil && !keys.asked {
		return Identity{}, "the bearer token is malformed", err // jwx never got as far as its signature
	}
	if err != nil {
		return Identity{}, a.claimReason(err), err
	}
	subject, reason := a.subject(tok)
	if reason != "" {
		return Identity{}, reason, nil
	}
	user, _, _ := strings.Cut(subject, "@")
	if user == "" {
		return Identity{}, fmt.Sprintf("the %s claim %q names no user", a.cfg.SubjectClaim, subject), nil
	}
	exp, _ := tok.Expiration()
	return Identity{User: user, Subject: subject, Expires: exp}, "", nil
}

// keyChooser is the jws.KeyProvider of one token: it offers the key the
// signature's kid names, for the signature's alg, only when the alg is
// allowed and fits the key, and remembers why it offered none.
type keyChooser struct {
	a      *Authenticator
	asked  bool
	reason string
	err    error
}

var errRefused = errors.New("the token's header breaks the rules")

func (k *keyChooser) FetchKeys(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	k.asked = true
	key, alg, reason, err := k.a.chooseKey(ctx, sig.ProtectedHeaders())
	if reason != "" {
		k.reason, k.err = reason, err
		return errRefused
	}
	sink.Key(alg, key)
	return nil
}

// chooseKey applies the rules of a token's header: an allowed alg, a kid
// naming a key of the set, a key of the type the alg needs.
func (a *Authenticator) chooseKey(ctx context.Context, hdr jws.Headers) (jwk.Key, jwa.SignatureAlgorithm, string, error) {
	var none jwa.SignatureAlgorithm
	algName := ""
	if hdr != nil {
		if alg, ok := hdr.Algorithm(); ok {
			algName = alg.String()
		}
	}
	alg, allowed := a.algs[algName]
	if !allowed {
		return nil, none, fmt.Sprintf("algorithm %q is not allowed (allowed: %s)", algName, strings.Join(a.algs.names(), ", ")), nil
	}
	kid, _ := hdr.KeyID()
	if kid == "" {
		return nil, none, "the token names no key (kid header)", nil
	}
	key, err := a.keys.lookup(ctx, kid)
	if errors.Is(err, errUnknownKey) {
		return nil, none, fmt.Sprintf("no key %q in the key set", kid), nil
	}
	if err != nil {
		return nil, none, "the key set is unavailable", err
	}
	if want := keyTypes[algName]; key.KeyType() != want {
		return nil, none, fmt.Sprintf("key %q is a %s key, which cannot verify %s", kid, key.KeyType(), algName), nil
	}
	if keyAlg, ok := key.Algorithm(); ok && keyAlg.String() != algName {
		return nil, none, fmt.Sprintf("key %q is for %s, not %s", kid, keyAlg, algName), nil
	}
	return key, alg, "", nil
}

// claimReason says, in the client's terms, why jwx refused the token.
func (a *Authenticator) claimReason(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "the token has expired"
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return "the token is not valid yet (nbf)"
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return "the token was issued in the future (iat)"
	case errors.Is(err, jwt.InvalidIssuerError()):
		return fmt.Sprintf("the token's issuer is not %q", a.cfg.Issuer)
	case errors.Is(err, jwt.InvalidAudienceError()):
		return fmt.Sprintf("the token's audience does not include %q", a.cfg.Audience)
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return "the token has no expiry (exp claim)"
	case errors.Is(err, jwt.ValidateError()):
		return "the token's claims are invalid"
	}
	return "the token's signature does not verify"
}

// subject reads the configured subject claim.
func (a *Authenticator) subject(tok jwt.Token) (string, string) {
	claim := a.cfg.SubjectClaim
	if !tok.Has(claim) {
		return "", fmt.Sprintf("the token has no %s claim", claim)
	}
	var v any
	if err := tok.Get(claim, &v); err != nil {
		return "", fmt.Sprintf("the token's %s claim is unreadable", claim)
	}
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Sprintf("the token's %s claim must be a non-empty string", claim)
	}
	return s, ""
}

// challenge is the www-authenticate value: Waiter's `Bearer
// realm="<host>"`, with RFC 6750's invalid_token error when a token was
// refused.
func challenge(r *http.Request, refused string) string {
	c := Scheme
	if realm := quotable(requestHost(r)); realm != "" {
		c += ` realm="` + realm + `"`
	}
	if refused != "" {
		if c != Scheme {
			c += ","
		}
		c += ` error="invalid_token", error_description="` + quotable(refused) + `"`
	}
	return c
}

func requestHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}

// quotable makes s safe inside a quoted-string.
func quotable(s string) string {
	return strings.NewReplacer(`"`, `'`, `\`, `/`, "\r", " ", "\n", " ").Replace(s)
}
