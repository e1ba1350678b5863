package config

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/waiter-go/waiter/adapters/jwt"
	"github.com/waiter-go/waiter/adapters/kerberos"
)

// validateAuth checks the authentication settings: a known authenticator
// whose settings are there, no settings for one that is not used, and the
// bind rule: a router that anyone beyond this machine can reach must know
// who they are.
func (c Config) validateAuth() []error {
	var errs []error
	switch c.Authenticator {
	case AuthOneUser, AuthJWT, AuthKerberos:
		if len(c.Composite) > 0 {
			errs = append(errs, fmt.Errorf("composite lists members, but authenticator is %s (set authenticator: composite)", c.Authenticator))
		}
	case AuthComposite:
		errs = append(errs, c.validateComposite()...)
	default:
		errs = append(errs, fmt.Errorf("authenticator must be one-user, jwt, kerberos or composite (got %q)", c.Authenticator))
	}
	if c.Uses(AuthJWT) {
		errs = append(errs, unwrap(c.JWTConfig().Validate())...)
	} else if !reflect.DeepEqual(c.JWT, JWT{}) {
		errs = append(errs, errors.New("jwt settings are given, but the jwt authenticator is not used (set authenticator: jwt, or list it in composite)"))
	}
	if c.Uses(AuthKerberos) {
		errs = append(errs, unwrap(c.KerberosConfig().Validate())...)
	} else if c.Kerberos != (Kerberos{}) {
		errs = append(errs, errors.New("kerberos settings are given, but the kerberos authenticator is not used (set authenticator: kerberos, or list it in composite)"))
	}
	if s := c.AuthSecret; s != "" && len(s) < 32 {
		errs = append(errs, fmt.Errorf("auth-secret must be at least 32 characters (got %d)", len(s)))
	}
	if c.Authenticator == AuthOneUser && !LoopbackOnly(c.Host) && !c.InsecureAllowAnyone {
		errs = append(errs, fmt.Errorf("host %q is not a loopback address, and the one-user authenticator lets every caller act as "+
			"the router's user: set authenticator (jwt, kerberos or composite), bind host 127.0.0.1, "+
			"or accept the risk with insecure-allow-anyone: true", c.Host))
	}
	return errs
}

func (c Config) validateComposite() []error {
	if len(c.Composite) == 0 {
		return []error{errors.New("composite must list its authenticators (e.g. [kerberos, jwt])")}
	}
	var errs []error
	seen := map[string]bool{}
	for _, m := range c.Composite {
		switch {
		case m != AuthJWT && m != AuthKerberos:
			errs = append(errs, fmt.Errorf("composite members must be jwt or kerberos (got %q)", m))
		case seen[m]:
			errs = append(errs, fmt.Errorf("composite lists %s twice", m))
		}
		seen[m] = true
	}
	return errs
}

// JWTConfig is the jwt adapter's configuration; the adapter's own rules
// validate it, so file and adapter never disagree about what is valid.
func (c Config) JWTConfig() jwt.Config {
	j := c.JWT
	return jwt.Config{JWKSFile: j.JWKSFile, JWKSURL: j.JWKSURL, Refresh: j.JWKSRefresh, Issuer: j.Issuer,
		Audience: j.Audience, Algorithms: j.Algorithms, ClockSkew: j.ClockSkew, SubjectClaim: j.SubjectClaim}
}

// KerberosConfig is the kerberos adapter's configuration.
func (c Config) KerberosConfig() kerberos.Config {
	return kerberos.Config{Keytab: c.Kerberos.Keytab, ServicePrincipal: c.Kerberos.ServicePrincipal}
}

// unwrap splits a joined error into its parts, so each is listed once.
func unwrap(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
