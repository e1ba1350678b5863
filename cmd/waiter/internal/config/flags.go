package config

import (
	"errors"
	"strconv"
)

// Flags are `waiter serve`'s flags, declared for kong (the command line
// embeds them). Each one is a pointer so that only the flags given
// override the --config file, which overrides the defaults.
type Flags struct {
	Config *string `placeholder:"FILE" predictor:"yaml" help:"YAML configuration file (every key: cmd/waiter/internal/config/config.go); the flags below override it."`

	Host          *string `placeholder:"ADDR" help:"Address to bind (default 127.0.0.1; \"\" is every interface, which needs a real --authenticator or --insecure-allow-anyone)."`
	Port          *int    `help:"Port to listen on (default ${default_port})."`
	DataDir       *string `placeholder:"DIR" predictor:"dir" help:"Folder of the store file, waiter.db (default ${default_data_dir})."`
	Scheduler     *string `placeholder:"shell|marathon|kubernetes" help:"Where services run: shell (local processes, the default), marathon or kubernetes."`
	MarathonURL   *string `name:"marathon-url" placeholder:"URL" help:"Marathon's URL (with --scheduler marathon)."`
	Kubeconfig    *string `placeholder:"FILE" predictor:"file" help:"Kubeconfig file (with --scheduler kubernetes; default: the in-cluster configuration)."`
	Namespace     *string `placeholder:"NS" help:"Kubernetes namespace of services without a namespace parameter (default waiter; * is each run-as-user's own)."`
	RouterID      *string `name:"router-id" placeholder:"ID" help:"This router's id (default <hostname>-<port>)."`
	ScalingPolicy *string `placeholder:"waiter|knative|predictive" help:"Default autoscaling policy (default waiter); a service may pick its own."`

	Authenticator            *string `placeholder:"NAME" help:"How callers prove who they are: one-user (the default), jwt, kerberos or composite."`
	InsecureAllowAnyone      *bool   `help:"Let a one-user router listen beyond loopback: anyone who reaches it acts as its user."`
	JWTJWKSFile              *string `name:"jwt-jwks-file" placeholder:"FILE" predictor:"file" help:"JWKS file of the jwt authenticator's keys."`
	JWTJWKSURL               *string `name:"jwt-jwks-url" placeholder:"URL" help:"URL of the jwt authenticator's JWKS."`
	JWTIssuer                *string `name:"jwt-issuer" placeholder:"ISS" help:"Issuer (iss) jwt tokens must name."`
	JWTAudience              *string `name:"jwt-audience" placeholder:"AUD" help:"Audience (aud) jwt tokens must include."`
	KerberosKeytab           *string `name:"kerberos-keytab" placeholder:"FILE" predictor:"file" help:"Keytab of the kerberos authenticator's service principal."`
	KerberosServicePrincipal *string `name:"kerberos-service-principal" placeholder:"SPN" help:"The principal tickets must be for (e.g. HTTP/host)."`

	MaxServicesPerUser  *int `placeholder:"N" help:"Services one run-as-user may have (0: no limit; default ${default_max_services_per_user})."`
	MaxInstancesPerUser *int `placeholder:"N" help:"Instances one run-as-user's services may ask for (0: no limit; default ${default_max_instances_per_user})."`
	MaxTokensPerOwner   *int `placeholder:"N" help:"Live tokens one owner may have (0: no limit; default ${default_max_tokens_per_owner})."`

	LogFormat   *string `enum:"text,json" placeholder:"text|json" help:"Log format (default text)."`
	LogLevel    *string `enum:"debug,info,warn,error" placeholder:"LEVEL" help:"Lowest level logged: debug, info (the default), warn or error."`
	AccessLog   *string `placeholder:"FILE" predictor:"file" help:"Write one line per request (cid, service-id, instance-id, status, latencies, queue time) to FILE, or stderr or stdout; off by default."`
	DebugListen *string `placeholder:"ADDR" help:"Serve Go's runtime profiles (/debug/pprof/) on this loopback host:port, without authentication; off by default."`

	ClusterFlags
	PeerFlags
}

// HelpVars are the values the flags' help interpolates.
func HelpVars() map[string]string {
	d := Default()
	return map[string]string{"default_port": strconv.Itoa(d.Port), "default_data_dir": d.DataDir,
		"default_max_services_per_user":  strconv.Itoa(d.MaxServicesPerUser),
		"default_max_instances_per_user": strconv.Itoa(d.MaxInstancesPerUser),
		"default_max_tokens_per_owner":   strconv.Itoa(d.MaxTokensPerOwner)}
}

// Resolve is the configuration the flags ask for: the defaults, then the
// --config file over them, then every flag that was given over that. It
// reports every setting that cannot work at once.
func (f Flags) Resolve() (Config, error) {
	cfg := Default()
	if f.Config != nil && *f.Config != "" {
		var err error
		if cfg, err = Load(*f.Config, cfg); err != nil {
			return Config{}, err
		}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&cfg.Host, f.Host)
	if f.Port != nil {
		cfg.Port = *f.Port
	}
	set(&cfg.DataDir, f.DataDir)
	set(&cfg.Scheduler, f.Scheduler)
	set(&cfg.MarathonURL, f.MarathonURL)
	set(&cfg.Kubernetes.Kubeconfig, f.Kubeconfig)
	set(&cfg.Kubernetes.Namespace, f.Namespace)
	set(&cfg.RouterID, f.RouterID)
	set(&cfg.ScalingPolicy, f.ScalingPolicy)
	set(&cfg.Authenticator, f.Authenticator)
	if f.InsecureAllowAnyone != nil {
		cfg.InsecureAllowAnyone = *f.InsecureAllowAnyone
	}
	set(&cfg.JWT.JWKSFile, f.JWTJWKSFile)
	set(&cfg.JWT.JWKSURL, f.JWTJWKSURL)
	set(&cfg.JWT.Issuer, f.JWTIssuer)
	set(&cfg.JWT.Audience, f.JWTAudience)
	set(&cfg.Kerberos.Keytab, f.KerberosKeytab)
	set(&cfg.Kerberos.ServicePrincipal, f.KerberosServicePrincipal)
	for _, o := range []struct {
		dst *int
		v   *int
	}{{&cfg.MaxServicesPerUser, f.MaxServicesPerUser}, {&cfg.MaxInstancesPerUser, f.MaxInstancesPerUser},
		{&cfg.MaxTokensPerOwner, f.MaxTokensPerOwner}} {
		if o.v != nil {
			*o.dst = *o.v
		}
	}
	set(&cfg.LogFormat, f.LogFormat)
	set(&cfg.LogLevel, f.LogLevel)
	set(&cfg.AccessLog, f.AccessLog)
	set(&cfg.DebugListen, f.DebugListen)
	f.ClusterFlags.apply(&cfg)
	f.PeerFlags.apply(&cfg)
	if err := cfg.Validate(); err != nil {
		return Config{}, errors.Join(errors.New("invalid configuration"), err)
	}
	return cfg, nil
}
