package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ClusterZooKeeper is the one coordinator a cluster of routers can use.
const ClusterZooKeeper = "zookeeper"

// ClusterSettings make the router one of a cluster (`--cluster
// zookeeper`): its records live in ZooKeeper instead of the bbolt file,
// and it registers there so the routers know each other and elect a
// leader. They are top-level keys of the configuration file.
type ClusterSettings struct {
	// Cluster is "" (one router, the bbolt store in data-dir: the
	// default) or "zookeeper".
	Cluster string `yaml:"cluster"`
	// ZKConnect lists the ZooKeeper servers, host:port[,host:port...].
	ZKConnect string `yaml:"zk-connect"`
	// ZKBasePath is the znode the cluster keeps everything under (default
	// /waiter); routers sharing it form one cluster.
	ZKBasePath string `yaml:"zk-base-path"`
	// ZKSessionTimeout: how long a router may lose ZooKeeper before its
	// registration and leadership go (default 10s; ZooKeeper clamps it to
	// 2 to 20 of its ticks).
	ZKSessionTimeout time.Duration `yaml:"zk-session-timeout"`
	// MinRouters: routers that must be alive before the elected one leads
	// (Waiter's min-routers; default 1).
	MinRouters int `yaml:"min-routers"`
	// RouterURL is the URL the other routers reach this one at (default
	// http://<host>:<port> of its listener, with the machine's hostname
	// when it listens on every interface).
	RouterURL string `yaml:"router-url"`
}

func defaultCluster() ClusterSettings {
	return ClusterSettings{ZKBasePath: "/waiter", ZKSessionTimeout: 10 * time.Second, MinRouters: 1}
}

// ZKServers is zk-connect split into host:port addresses.
func (c ClusterSettings) ZKServers() []string {
	var out []string
	for _, s := range strings.Split(c.ZKConnect, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// maxZKServers bounds zk-connect: an ensemble has a handful of servers.
const maxZKServers = 64

func (c ClusterSettings) validateCluster() []error {
	var errs []error
	switch c.Cluster {
	case "":
		return nil
	case ClusterZooKeeper:
	default:
		return []error{fmt.Errorf("cluster must be empty (one router) or zookeeper (got %q)", c.Cluster)}
	}
	servers := c.ZKServers()
	switch {
	case len(servers) == 0:
		errs = append(errs, errors.New("cluster zookeeper needs zk-connect host:port[,host:port...]"))
	case len(servers) > maxZKServers:
		errs = append(errs, fmt.Errorf("zk-connect lists %d servers, more than %d", len(servers), maxZKServers))
	}
	for _, s := range servers {
		host, port, err := net.SplitHostPort(s)
		if p, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("zk-connect: %q is not host:port", s))
		}
	}
	if !strings.HasPrefix(c.ZKBasePath, "/") || c.ZKBasePath == "/" || strings.HasSuffix(c.ZKBasePath, "/") ||
		strings.Contains(c.ZKBasePath, "//") {
		errs = append(errs, fmt.Errorf("zk-base-path must be an absolute znode path such as /waiter (got %q)", c.ZKBasePath))
	}
	if c.ZKSessionTimeout <= 0 {
		errs = append(errs, fmt.Errorf("zk-session-timeout must be positive (got %s)", c.ZKSessionTimeout))
	}
	if c.MinRouters < 1 {
		errs = append(errs, fmt.Errorf("min-routers must be at least 1 (got %d)", c.MinRouters))
	}
	if c.RouterURL != "" {
		if u, err := url.Parse(c.RouterURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("router-url must be an http(s) URL (got %q)", c.RouterURL))
		}
	}
	return errs
}

// ClusterFlags are the flags of ClusterSettings.
type ClusterFlags struct {
	Cluster    *string `placeholder:"zookeeper" help:"Run as one of a cluster of routers coordinated by ZooKeeper: records live there instead of the bbolt file."`
	ZKConnect  *string `name:"zk-connect" placeholder:"HOST:PORT[,..]" help:"The ZooKeeper servers (with --cluster zookeeper)."`
	ZKBasePath *string `name:"zk-base-path" placeholder:"PATH" help:"The znode the cluster keeps everything under (default /waiter)."`
	MinRouters *int    `name:"min-routers" placeholder:"N" help:"Routers that must be alive before the elected one leads (default 1)."`
}

func (f ClusterFlags) apply(cfg *Config) {
	if f.Cluster != nil {
		cfg.Cluster = *f.Cluster
	}
	if f.ZKConnect != nil {
		cfg.ZKConnect = *f.ZKConnect
	}
	if f.ZKBasePath != nil {
		cfg.ZKBasePath = *f.ZKBasePath
	}
	if f.MinRouters != nil {
		cfg.MinRouters = *f.MinRouters
	}
}
