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
		host        = fs.String("host", def.Host, "address to bind (empty: every interface)")
		dataDir     = fs.String("data-dir", def.DataDir, "folder of the store file")
		scheduler   = fs.String("scheduler", def.Scheduler, "shell or marathon")
		marathonURL = fs.String("marathon-url", def.MarathonURL, "Marathon's URL (with --scheduler marathon)")
		routerID    = fs.String("router-id", def.RouterID, "this router's id (default <hostname>-<port>)")
		policy      = fs.String("scaling-policy", def.ScalingPolicy, "default autoscaling policy: waiter or knative")
		svcPerUser  = fs.Int("max-services-per-user", def.MaxServicesPerUser, "services one run-as-user may have (0: no limit)")
		instPerUser = fs.Int("max-instances-per-user", def.MaxInstancesPerUser, "instances one run-as-user's services may ask for (0: no limit)")
		tokPerOwner = fs.Int("max-tokens-per-owner", def.MaxTokensPerOwner, "live tokens one owner may have (0: no limit)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: waiter serve [--port 9091] [--data-dir ./waiter-data] [--scheduler shell|marathon] [--marathon-url URL] [--scaling-policy waiter|knative] [--config FILE]")
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
