package kerberos

import (
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/authheader"
	"net/http"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// Scheme is the Authorization scheme this package reads.
const Scheme = "Negotiate"

// credentialsKey is where gokrb5's SPNEGO token context keeps the
// verified client's credentials (the unexported ctxCredentials constant
// of gokrb5/v8/spnego, an untyped string); the Kerberos tests prove it
// against a real KDC.
const credentialsKey = "github.com/jcmturner/gokrb5/v8/ctxCredentials"

// Config names the router's service key.
type Config struct {
	// Keytab is the file holding the service principal's keys.
	Keytab string
	// ServicePrincipal, when set (for example "HTTP/waiter.example.com"),
	// is the only principal of the keytab that tickets may be for;
	// otherwise a ticket for any principal in the keytab is accepted.
	ServicePrincipal string
}

// Validate reports every setting that cannot work, naming its key as the
// configuration file spells it (kerberos.<key>).
func (c Config) Validate() error {
	var errs []error
	if c.Keytab == "" {
		errs = append(errs, errors.New("kerberos: keytab must be set (the file with the service principal's keys)"))
	}
	if p := c.ServicePrincipal; p != "" && (strings.ContainsAny(p, " \t@") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/")) {
		errs = append(errs, fmt.Errorf("kerberos: service-principal must look like HTTP/host.example.com, without a realm (got %q)", p))
	}
	return errors.Join(errs...)
}

// Identity is the client principal a valid token proves.
type Identity struct {
	// User is the principal's name without its realm: Waiter's user.
	User string
	// Realm is the principal's realm.
	Realm string
	// Expires is when the client's service ticket ends.
	Expires time.Time
}

// Error is a refused request: the domain's AuthError, with Scheme "kerberos"
// and one challenge.
type Error = waiter.AuthError

// Authenticator checks Negotiate tokens; it is safe for concurrent use.
type Authenticator struct {
	kt       *keytab.Keytab
	settings []func(*service.Settings)
}

// New validates cfg and loads the keytab.
func New(cfg Config) (*Authenticator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kt, err := keytab.Load(cfg.Keytab)
	if err != nil {
		return nil, fmt.Errorf("kerberos: keytab %s: %w", cfg.Keytab, err)
	}
	if len(kt.Entries) == 0 {
		return nil, fmt.Errorf("kerberos: keytab %s holds no keys", cfg.Keytab)
	}
	// The router needs only the client's name. MIT KDCs (1.20 and later)
	// put a PAC without Active Directory's logon info in every ticket,
	// which gokrb5's PAC decoder refuses; nothing here reads a PAC.
	a := &Authenticator{kt: kt, settings: []func(*service.Settings){service.DecodePAC(false)}}
	if cfg.ServicePrincipal != "" {
		if !holds(kt, cfg.ServicePrincipal) {
			return nil, fmt.Errorf("kerberos: keytab %s holds no key for service-principal %s", cfg.Keytab, cfg.ServicePrincipal)
		}
		a.settings = append(a.settings, service.KeytabPrincipal(cfg.ServicePrincipal))
	}
	return a, nil
}

// holds reports whether the keytab has a key for principal (no realm).
func holds(kt *keytab.Keytab, principal string) bool {
	for _, e := range kt.Entries {
		if strings.Join(e.Principal.Components, "/") == principal {
			return true
		}
	}
	return false
}

// Scheme is the Authorization scheme the authenticator reads.
func (a *Authenticator) Scheme() string { return Scheme }

// Authenticate verifies the request's Negotiate token.
func (a *Authenticator) Authenticate(r *http.Request) (Identity, error) {
	raw := authheader.Credential(r.Header, Scheme)
	if raw == "" {
		return Identity{}, &Error{Scheme: "kerberos", Reason: "no Negotiate token in the Authorization header", Challenges: []string{Scheme}}
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return Identity{}, refuse("the Negotiate token is not base64", err)
	}
	st, err := spnegoToken(b)
	if err != nil {
		return Identity{}, refuse("the Negotiate token is neither a SPNEGO nor a Kerberos token", err)
	}
	ok, ctx, status := spnego.SPNEGOService(a.kt, a.settings...).AcceptSecContext(st)
	if status.Code != gssapi.StatusComplete || !ok || ctx == nil {
		return Identity{}, refuse("Kerberos did not accept the token", status)
	}
	creds, _ := ctx.Value(credentialsKey).(*credentials.Credentials)
	if creds == nil || creds.UserName() == "" {
		return Identity{}, refuse("the token names no client principal", nil)
	}
	return Identity{User: creds.UserName(), Realm: creds.Domain(), Expires: creds.ValidUntil()}, nil
}

// rejected is the challenge for a token that was presented and refused:
// a SPNEGO NegTokenResp whose negState is reject (RFC 4178 4.2.2), so a
// client stops instead of sending another token (a bare "Negotiate"
// asks it to start over, and gokrb5's client then loops forever).
const rejected = Scheme + " oQcwBaADCgEC"

// refuse is a refused token; missing credentials get a bare challenge.
func refuse(reason string, err error) *Error {
	return &Error{Scheme: "kerberos", Reason: reason, Challenges: []string{rejected}, Err: err}
}

// spnegoToken reads a SPNEGO token, or wraps a raw Kerberos one (some
// clients send the mechanism token alone), as gokrb5's own HTTP wrapper
// does.
func spnegoToken(b []byte) (*spnego.SPNEGOToken, error) {
	var st spnego.SPNEGOToken
	err := st.Unmarshal(b)
	if err == nil {
		return &st, nil
	}
	var k5 spnego.KRB5Token
	if k5.Unmarshal(b) != nil {
		return nil, err
	}
	st.Init = true
	st.NegTokenInit = spnego.NegTokenInit{MechTypes: []asn1.ObjectIdentifier{k5.OID}, MechTokenBytes: b}
	return &st, nil
}
