package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Parse reads `waiter serve` arguments: --config FILE is loaded first
// (over the defaults), then every flag that was given overrides it.
// It returns flag.ErrHelp for -h.
func Parse(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("waiter serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := Default()
	var (
		path        = fs.String("config", "", "YAML configuration file")
		port        = fs.Int("port", def.Port, "port to listen on")
		host        = fs.String("host", def.Host, "address to bind (empty: every interface; beyond loopback needs a real --authenticator)")
		dataDir     = fs.String("data-dir", def.DataDir, "folder of the store file")
		scheduler   = fs.String("scheduler", def.Scheduler, "shell or marathon")
		marathonURL = fs.String("marathon-url", def.MarathonURL, "Marathon's URL (with --scheduler marathon)")
		routerID    = fs.String("router-id", def.RouterID, "this router's id (default <hostname>-<port>)")
		policy      = fs.String("scaling-policy", def.ScalingPolicy, "default autoscaling policy: waiter or knative")
		authn       = fs.String("authenticator", def.Authenticator, "one-user, jwt, kerberos or composite")
		anyone      = fs.Bool("insecure-allow-anyone", false, "let a one-user router listen beyond loopback: anyone who reaches it acts as its user")
		jwksFile    = fs.String("jwt-jwks-file", "", "JWKS file of the jwt authenticator's keys")
		jwksURL     = fs.String("jwt-jwks-url", "", "URL of the jwt authenticator's JWKS")
		issuer      = fs.String("jwt-issuer", "", "issuer (iss) jwt tokens must name")
		audience    = fs.String("jwt-audience", "", "audience (aud) jwt tokens must include")
		keytab      = fs.String("kerberos-keytab", "", "keytab of the kerberos authenticator's service principal")
		spn         = fs.String("kerberos-service-principal", "", "the principal of the keytab tickets must be for (e.g. HTTP/host)")
		svcPerUser  = fs.Int("max-services-per-user", def.MaxServicesPerUser, "services one run-as-user may have (0: no limit)")
		instPerUser = fs.Int("max-instances-per-user", def.MaxInstancesPerUser, "instances one run-as-user's services may ask for (0: no limit)")
		tokPerOwner = fs.Int("max-tokens-per-owner", def.MaxTokensPerOwner, "live tokens one owner may have (0: no limit)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: waiter serve [--host 127.0.0.1] [--port 9091] [--data-dir ./waiter-data] [--scheduler shell|marathon] [--marathon-url URL] [--scaling-policy waiter|knative] [--authenticator one-user|jwt|kerberos|composite] [--config FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := def
	if *path != "" {
		var err error
		if cfg, err = Load(*path, def); err != nil {
			return Config{}, err
		}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "port":
			cfg.Port = *port
		case "host":
			cfg.Host = *host
		case "data-dir":
			cfg.DataDir = *dataDir
		case "scheduler":
			cfg.Scheduler = *scheduler
		case "marathon-url":
			cfg.MarathonURL = *marathonURL
		case "router-id":
			cfg.RouterID = *routerID
		case "scaling-policy":
			cfg.ScalingPolicy = *policy
		case "authenticator":
			cfg.Authenticator = *authn
		case "insecure-allow-anyone":
			cfg.InsecureAllowAnyone = *anyone
		case "jwt-jwks-file":
			cfg.JWT.JWKSFile = *jwksFile
		case "jwt-jwks-url":
			cfg.JWT.JWKSURL = *jwksURL
		case "jwt-issuer":
			cfg.JWT.Issuer = *issuer
		case "jwt-audience":
			cfg.JWT.Audience = *audience
		case "kerberos-keytab":
			cfg.Kerberos.Keytab = *keytab
		case "kerberos-service-principal":
			cfg.Kerberos.ServicePrincipal = *spn
		case "max-services-per-user":
			cfg.MaxServicesPerUser = *svcPerUser
		case "max-instances-per-user":
			cfg.MaxInstancesPerUser = *instPerUser
		case "max-tokens-per-owner":
			cfg.MaxTokensPerOwner = *tokPerOwner
		}
	})
	if err := cfg.Validate(); err != nil {
		return Config{}, errors.Join(errors.New("invalid configuration"), err)
	}
	return cfg, nil
}
