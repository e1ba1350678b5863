package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/jwttest"
	"github.com/waiter-go/waiter/internal/krbtest"
)

// TestBearerToken runs the command line against a router that takes only
// JWTs: a token from the environment or a file proves who the caller is;
// without one the router's 401 comes with what to set.
func TestBearerToken(t *testing.T) {
	iss, err := jwttest.New("https://issuer.test", "waiter", "k1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	jwks := filepath.Join(dir, "jwks.json")
	if err := iss.WriteJWKS(jwks); err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, "--authenticator", "jwt", "--jwt-jwks-file", jwks, "--jwt-issuer", iss.Name, "--jwt-audience", iss.Audience)
	now := time.Now()
	bob, err := iss.Token("bob", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	url := "--url=" + r.url

	env := newEnv(t)
	waiterCLI(t, env, "tokens", "--all", url).want(t, 1, "401", "set WAITER_BEARER_TOKEN, WAITER_BEARER_TOKEN_FILE or the cluster's bearer-token-file")

	env["WAITER_BEARER_TOKEN"] = bob
	waiterCLI(t, env, "create", "bobs", url, "--cmd", "kitchen -p $PORT0", "--cpus", "0.1", "--mem", "64", "--version", "b1").
		want(t, 0, "Successfully created bobs")

	// The same token from a file named by the cluster's configuration.
	delete(env, "WAITER_BEARER_TOKEN")
	tokenFile := filepath.Join(dir, "bob.jwt")
	if err := os.WriteFile(tokenFile, []byte(bob+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("clusters:\n  - name: jwt\n    url: "+r.url+"\n    bearer-token-file: "+tokenFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env["WAITER_CONFIG"] = cfg
	show := waiterCLI(t, env, "show", "bobs", "--json").decode(t)
	if get(show, "clusters", "jwt", "token", "owner") != "bob" {
		t.Errorf("the token must be bob's, as his JWT says: %v", show)
	}
	waiterCLI(t, env, "tokens", "--user", "bob").want(t, 0, "jwt", "bob", "bobs")

	expired, _ := iss.Token("bob", now.Add(-2*time.Hour), now.Add(-time.Hour))
	env["WAITER_BEARER_TOKEN"] = expired
	waiterCLI(t, env, "tokens", "--user", "bob").want(t, 1, "401", "the bearer token was refused")

	env["WAITER_BEARER_TOKEN"] = ""
	env["WAITER_BEARER_TOKEN_FILE"] = filepath.Join(dir, "missing.jwt")
	waiterCLI(t, env, "tokens").want(t, 2, "WAITER_BEARER_TOKEN_FILE", "missing.jwt")
}

// TestKerberos runs the command line against a router that takes only
// SPNEGO, with a ticket kinit put in the credential cache of a real MIT
// KDC: the first call is challenged, answered with a ticket, and the
// x-waiter-auth cookie carries the rest.
func TestKerberos(t *testing.T) {
	kdc := krbtest.Start(t)
	kdc.Kinit(t)
	r := startRouter(t, "--authenticator", "kerberos", "--kerberos-keytab", kdc.Keytab,
		"--kerberos-service-principal", krbtest.ServicePrincipal)
	env := newEnv(t)
	for _, kv := range kdc.Env() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "KRB5") {
			env[k] = v
		}
	}
	// The ticket is for HTTP/localhost: call the router by that name.
	url := "--url=http://localhost:" + r.addr[strings.LastIndex(r.addr, ":")+1:]
	waiterCLI(t, env, "create", "alices", url, "--cmd", "kitchen -p $PORT0", "--cpus", "0.1", "--mem", "64", "--version", "a1").
		want(t, 0, "Successfully created alices")
	show := waiterCLI(t, env, "show", "alices", url, "--json").decode(t)
	if get(show, "clusters", "http://localhost:"+r.addr[strings.LastIndex(r.addr, ":")+1:], "token", "owner") != krbtest.User {
		t.Errorf("the token must be %s's, as the ticket says: %v", krbtest.User, show)
	}
	// One command, one login: each command was challenged once, answered
	// with one ticket, and its later calls rode on the x-waiter-auth cookie.
	log := readAll(t, r.accessLog)
	if n, c := strings.Count(log, `"authentication-method":"spnego"`), strings.Count(log, `"authentication-method":"cookie"`); n != 2 || c != 2 {
		t.Errorf("want 2 Kerberos logins (one per command) and 2 calls on the cookie, got %d and %d:\n%s", n, c, log)
	}

	env["KRB5CCNAME"] = "FILE:" + filepath.Join(t.TempDir(), "empty-cache")
	waiterCLI(t, env, "show", "alices", url).want(t, 1, "401", "the router offers Kerberos, but kerberos: no usable credential cache", "run kinit")
}
