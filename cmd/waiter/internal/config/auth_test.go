package config

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultIsLoopbackAndOneUser(t *testing.T) {
	d := Default()
	if d.Host != "127.0.0.1" || d.Authenticator != AuthOneUser || d.InsecureAllowAnyone {
		t.Errorf("defaults host %q authenticator %q insecure %v, want 127.0.0.1, one-user, false", d.Host, d.Authenticator, d.InsecureAllowAnyone)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("the default configuration is invalid: %v", err)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true, "localhost": true, "LOCALHOST": true,
		"": false, "0.0.0.0": false, "::": false, "192.0.2.7": false, "waiter.example.com": false, "localhost.evil": false,
	} {
		if got := LoopbackOnly(host); got != want {
			t.Errorf("LoopbackOnly(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestBindRule(t *testing.T) {
	jwtOK := JWT{JWKSFile: "/keys.json", Issuer: "https://issuer", Audience: "waiter"}
	cases := []struct {
		name string
		cfg  func(*Config)
		want string // "" = valid
	}{
		{"one-user on loopback", func(c *Config) {}, ""},
		{"one-user on every interface", func(c *Config) { c.Host = "0.0.0.0" },
			`host "0.0.0.0" is not a loopback address, and the one-user authenticator lets every caller act as the router's user`},
		{"one-user on the empty host", func(c *Config) { c.Host = "" }, `host "" is not a loopback address`},
		{"one-user beyond loopback, insecure accepted", func(c *Config) { c.Host = "0.0.0.0"; c.InsecureAllowAnyone = true }, ""},
		{"jwt beyond loopback", func(c *Config) { c.Host = "0.0.0.0"; c.Authenticator = AuthJWT; c.JWT = jwtOK }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.cfg(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAuthSettingsAreValidated(t *testing.T) {
	cases := map[string]struct {
		yaml string
		want []string
	}{
		"unknown authenticator": {"authenticator: ldap\n", []string{`authenticator must be one-user, jwt, kerberos or composite (got "ldap")`}},
		"jwt without settings":  {"authenticator: jwt\n", []string{"jwt: set jwks-file or jwks-url", "jwt: issuer must be set", "jwt: audience must be set"}},
		"jwt with symmetric algorithms": {"authenticator: jwt\njwt: {jwks-file: k.json, issuer: i, audience: a, algorithms: [HS256]}\n",
			[]string{`"HS256" not allowed`}},
		"kerberos without keytab": {"authenticator: kerberos\n", []string{"kerberos: keytab must be set"}},
		"settings of an unused authenticator": {"jwt: {issuer: i}\nkerberos: {keytab: k}\n",
			[]string{"jwt settings are given, but the jwt authenticator is not used", "kerberos settings are given, but the kerberos authenticator is not used"}},
		"composite without members": {"authenticator: composite\n", []string{"composite must list its authenticators"}},
		"composite with bad members": {"authenticator: composite\ncomposite: [one-user, jwt, jwt]\njwt: {jwks-file: k, issuer: i, audience: a}\n",
			[]string{`composite members must be jwt or kerberos (got "one-user")`, "composite lists jwt twice"}},
		"members without composite": {"composite: [jwt]\n", []string{"composite lists members, but authenticator is one-user"}},
		"short auth secret":         {"auth-secret: tooshort\n", []string{"auth-secret must be at least 32 characters (got 8)"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Decode(strings.NewReader(tc.yaml), Default())
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if err == nil {
				t.Fatalf("Validate accepted %q", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestAuthSettingsDecode(t *testing.T) {
	c, err := Decode(strings.NewReader(`
host: 0.0.0.0
authenticator: composite
composite: [kerberos, jwt]
jwt:
  jwks-url: https://issuer.example/jwks.json
  jwks-refresh: 5m
  issuer: https://issuer.example
  audience: waiter
  algorithms: [RS256, EdDSA]
  clock-skew: 30s
  subject-claim: upn
kerberos:
  keytab: /etc/waiter/http.keytab
  service-principal: HTTP/waiter.example.com
auth-secret: 0123456789abcdef0123456789abcdef
`), Default())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	j := c.JWTConfig()
	if j.JWKSURL != "https://issuer.example/jwks.json" || j.Refresh != 5*time.Minute || j.ClockSkew != 30*time.Second ||
		j.SubjectClaim != "upn" || strings.Join(j.Algorithms, ",") != "RS256,EdDSA" || j.Audience != "waiter" {
		t.Errorf("jwt config %+v", j)
	}
	if k := c.KerberosConfig(); k.Keytab != "/etc/waiter/http.keytab" || k.ServicePrincipal != "HTTP/waiter.example.com" {
		t.Errorf("kerberos config %+v", k)
	}
	if !c.Uses(AuthJWT) || !c.Uses(AuthKerberos) || c.Uses(AuthOneUser) {
		t.Errorf("Uses: jwt %v kerberos %v one-user %v", c.Uses(AuthJWT), c.Uses(AuthKerberos), c.Uses(AuthOneUser))
	}
}

func TestAuthFlags(t *testing.T) {
	c, err := parse("--host", "0.0.0.0", "--authenticator", "jwt", "--jwt-jwks-file", "/k.json",
		"--jwt-issuer", "i", "--jwt-audience", "a")
	if err != nil {
		t.Fatal(err)
	}
	if c.Authenticator != AuthJWT || c.JWT.JWKSFile != "/k.json" || c.JWT.Issuer != "i" || c.JWT.Audience != "a" {
		t.Errorf("parsed %+v", c)
	}
	if _, err := parse("--host", "0.0.0.0"); err == nil || !strings.Contains(err.Error(), "insecure-allow-anyone") {
		t.Errorf("--host 0.0.0.0 alone: %v, want the bind rule", err)
	}
	if c, err := parse("--host", "0.0.0.0", "--insecure-allow-anyone"); err != nil || !c.InsecureAllowAnyone {
		t.Errorf("--insecure-allow-anyone: %+v %v", c.InsecureAllowAnyone, err)
	}
	c, err = parse("--authenticator", "kerberos", "--kerberos-keytab", "/k", "--kerberos-service-principal", "HTTP/h")
	if err != nil || c.Kerberos.Keytab != "/k" || c.Kerberos.ServicePrincipal != "HTTP/h" {
		t.Errorf("kerberos flags: %+v %v", c.Kerberos, err)
	}
}
