package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/adapters/jwt"
	"github.com/waiter-go/waiter/adapters/kerberos"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// jwksStartTimeout bounds the first fetch of a JWKS URL at start.
const jwksStartTimeout = 30 * time.Second

// authentication is the router's authenticator, the scope its cookies are
// issued under, and what to close at shutdown.
type authentication struct {
	authn   waiterhttp.Authenticator
	scope   string
	closers []func() error
}

func (a *authentication) close(log *slog.Logger) {
	for _, c := range a.closers {
		if err := c(); err != nil {
			log.Warn("waiter serve: stopping the authenticator", "error", err)
		}
	}
}

// newAuthentication builds the configured authenticator. now is the
// router's clock; log receives key-refresh failures.
func newAuthentication(cfg config.Config, now func() time.Time, log *slog.Logger) (*authentication, error) {
	a := &authentication{}
	member := func(name string) (waiterhttp.SchemeAuthenticator, string, error) {
		switch name {
		case config.AuthJWT:
			jc := cfg.JWTConfig()
			jc.Now, jc.Logger = now, log.With("component", "jwt")
			ctx, cancel := context.WithTimeout(context.Background(), jwksStartTimeout)
			defer cancel()
			j, err := jwt.New(ctx, jc)
			if err != nil {
				return nil, "", err
			}
			a.closers = append(a.closers, j.Close)
			return bearer{j}, "jwt:" + jc.Issuer + "|" + jc.Audience, nil
		case config.AuthKerberos:
			k, err := kerberos.New(cfg.KerberosConfig())
			if err != nil {
				return nil, "", err
			}
			return negotiate{k}, "kerberos:" + cfg.Kerberos.ServicePrincipal, nil
		}
		return nil, "", fmt.Errorf("authenticator %q cannot be a member", name)
	}
	switch cfg.Authenticator {
	case config.AuthOneUser:
		// The user is in the scope: were the router to run as someone
		// else, cookies naming its previous user must stop working.
		a.authn, a.scope = waiterhttp.OneUser{User: cfg.RunAsUser}, "one-user:"+cfg.RunAsUser
	case config.AuthJWT, config.AuthKerberos:
		m, scope, err := member(cfg.Authenticator)
		if err != nil {
			return nil, err
		}
		a.authn, a.scope = m, scope
	case config.AuthComposite:
		var members []waiterhttp.SchemeAuthenticator
		var scopes []string
		for _, name := range cfg.Composite {
			m, scope, err := member(name)
			if err != nil {
				a.close(log)
				return nil, err
			}
			members, scopes = append(members, m), append(scopes, scope)
		}
		c, err := waiterhttp.NewComposite(members...)
		if err != nil {
			a.close(log)
			return nil, err
		}
		a.authn, a.scope = c, "composite:"+strings.Join(scopes, ",")
	default:
		return nil, fmt.Errorf("unknown authenticator %q", cfg.Authenticator)
	}
	return a, nil
}

// bearer is the jwt adapter as the HTTP edge's authenticator.
type bearer struct{ a *jwt.Authenticator }

func (b bearer) Scheme() string { return b.a.Scheme() }

func (b bearer) Authenticate(r *http.Request) (waiterhttp.Principal, error) {
	id, err := b.a.Authenticate(r)
	if err != nil {
		return waiterhttp.Principal{}, err // a *waiter.AuthError carries its challenges
	}
	return waiterhttp.Principal{User: id.User, Method: "jwt", Expires: id.Expires}, nil
}

// negotiate is the kerberos adapter as the HTTP edge's authenticator;
// its method is Waiter's name for it, spnego.
type negotiate struct{ a *kerberos.Authenticator }

func (n negotiate) Scheme() string { return n.a.Scheme() }

func (n negotiate) Authenticate(r *http.Request) (waiterhttp.Principal, error) {
	id, err := n.a.Authenticate(r)
	if err != nil {
		return waiterhttp.Principal{}, err // a *waiter.AuthError carries its challenges
	}
	return waiterhttp.Principal{User: id.User, Method: "spnego", Expires: id.Expires}, nil
}

// anyoneWarning is the warning a one-user router gives when it listens
// beyond loopback under insecure-allow-anyone ("" when it does not).
func anyoneWarning(cfg config.Config, addr net.Addr) string {
	if cfg.Authenticator != config.AuthOneUser || loopbackAddr(addr) {
		return ""
	}
	return fmt.Sprintf("insecure-allow-anyone: the router listens on %s with the one-user authenticator, "+
		"so anyone who can reach it acts as %s", addr, cfg.RunAsUser)
}

// loopbackAddr reports whether a listener accepts loopback connections
// only.
func loopbackAddr(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// checkListener applies the bind rule to a listener the caller made: the
// configured host was checked by Validate, but this is where the router
// really listens.
func checkListener(cfg config.Config, ln net.Listener) error {
	if cfg.Authenticator == config.AuthOneUser && !cfg.InsecureAllowAnyone && !loopbackAddr(ln.Addr()) {
		return fmt.Errorf("the listener %s is not a loopback address, and the one-user authenticator lets every caller act as %s: "+
			"use a real authenticator, or set insecure-allow-anyone", ln.Addr(), cfg.RunAsUser)
	}
	return nil
}
