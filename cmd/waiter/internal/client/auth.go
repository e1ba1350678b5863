package client

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"strings"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// Kerberos modes of a cluster.
const (
	// KerberosAuto answers a router's Negotiate challenge (401) with a
	// ticket from the credential cache, when there is one.
	KerberosAuto = "auto"
	// KerberosAlways sends a ticket with the first request.
	KerberosAlways = "always"
	// KerberosNever never uses Kerberos.
	KerberosNever = "never"
)

// Auth is how a client proves who it is.
type Auth struct {
	// Bearer, when set, goes with every request as Authorization: Bearer
	// (a JWT for a router with the jwt authenticator).
	Bearer string
	// Kerberos is KerberosAuto (the default), KerberosAlways or
	// KerberosNever.
	Kerberos string
	// ServicePrincipal is the router's principal (default HTTP/<host of
	// the cluster's URL>).
	ServicePrincipal string
	// Getenv reads KRB5_CONFIG, KRB5CCNAME and the like (os.Getenv when
	// nil).
	Getenv func(string) string
}

func (a Auth) getenv(k string) string {
	if a.Getenv != nil {
		return a.Getenv(k)
	}
	return os.Getenv(k)
}

// kerberos is a gokrb5 client logged in from the user's credential cache.
type kerberos struct {
	cl  *krbclient.Client
	spn string
}

// loadKerberos reads krb5.conf (KRB5_CONFIG, else /etc/krb5.conf) and the
// credential cache kinit filled (KRB5CCNAME, else /tmp/krb5cc_<uid>).
func (a Auth) loadKerberos(host string) (*kerberos, error) {
	confPath := a.getenv("KRB5_CONFIG")
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	if i := strings.IndexByte(confPath, ':'); i >= 0 {
		confPath = confPath[:i] // the first of a list of files
	}
	conf, err := krbconfig.Load(confPath)
	if err != nil {
		return nil, fmt.Errorf("kerberos: read %s: %w", confPath, err)
	}
	ccPath := a.getenv("KRB5CCNAME")
	if ccPath == "" {
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("kerberos: find the credential cache: %w", err)
		}
		ccPath = "/tmp/krb5cc_" + u.Uid
	}
	if kind, rest, ok := strings.Cut(ccPath, ":"); ok {
		if kind != "FILE" {
			return nil, fmt.Errorf("kerberos: credential cache %s: only FILE: caches are supported; set KRB5CCNAME=FILE:/path", ccPath)
		}
		ccPath = rest
	}
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		return nil, fmt.Errorf("kerberos: no usable credential cache at %s (run kinit): %w", ccPath, err)
	}
	cl, err := krbclient.NewFromCCache(cc, conf, krbclient.DisablePAFXFAST(true))
	if err != nil {
		return nil, fmt.Errorf("kerberos: credential cache %s (run kinit): %w", ccPath, err)
	}
	spn := a.ServicePrincipal
	if spn == "" {
		spn = "HTTP/" + host
	}
	return &kerberos{cl: cl, spn: spn}, nil
}

// sign adds an SPNEGO Authorization header to req.
func (k *kerberos) sign(req *http.Request) error {
	if err := spnego.SetSPNEGOHeader(k.cl, req, k.spn); err != nil {
		return fmt.Errorf("kerberos: a ticket for %s: %w", k.spn, err)
	}
	return nil
}

// offersNegotiate reports whether a 401 offers SPNEGO.
func offersNegotiate(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "negotiate") {
			return true
		}
	}
	return false
}

var errNoKerberos = errors.New("kerberos is off for this cluster")
