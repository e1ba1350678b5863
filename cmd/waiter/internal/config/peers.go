package config

import (
	"fmt"
	"os"
	"time"
)

// PeerSettings say how the routers of a cluster talk to each other. They
// are top-level keys of the configuration file.
type PeerSettings struct {
	// ClusterSecretFile holds the secret every router of the cluster
	// shares (at least 16 bytes; surrounding white space is ignored):
	// inter-router calls are signed with it (HMAC-SHA256) and refused
	// without it. Required with cluster zookeeper.
	ClusterSecretFile string `yaml:"cluster-secret-file"`
	// MetricsSyncInterval is how often a router sends its counters to
	// every peer (Waiter's metrics-sync-interval-ms; default 50ms).
	MetricsSyncInterval time.Duration `yaml:"metrics-sync-interval"`
	// PeerCountersTTL: a peer's counters older than this no longer count
	// (inter-router-metrics-idle-timeout-ms; default 2s).
	PeerCountersTTL time.Duration `yaml:"peer-counters-ttl"`
}

func defaultPeers() PeerSettings {
	return PeerSettings{MetricsSyncInterval: 50 * time.Millisecond, PeerCountersTTL: 2 * time.Second}
}

// MinClusterSecret is the shortest cluster secret accepted.
const MinClusterSecret = 16

func (c Config) validatePeers() []error {
	var errs []error
	if c.MetricsSyncInterval <= 0 || c.MetricsSyncInterval > time.Minute {
		errs = append(errs, fmt.Errorf("metrics-sync-interval must be between 0 and 1m (got %s)", c.MetricsSyncInterval))
	}
	if c.PeerCountersTTL <= c.MetricsSyncInterval {
		errs = append(errs, fmt.Errorf("peer-counters-ttl (%s) must be longer than metrics-sync-interval (%s)",
			c.PeerCountersTTL, c.MetricsSyncInterval))
	}
	if c.Cluster != "" && c.ClusterSecretFile == "" {
		errs = append(errs, fmt.Errorf("cluster %s needs cluster-secret-file: the routers sign their calls to each other with it", c.Cluster))
	}
	return errs
}

// ClusterSecret reads the cluster secret file; an error names the file
// and what is wrong (missing, unreadable, readable by others, too short).
func (c PeerSettings) ClusterSecret() ([]byte, error) {
	f := c.ClusterSecretFile
	st, err := os.Stat(f)
	if err != nil {
		return nil, fmt.Errorf("cluster-secret-file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("cluster-secret-file %s is readable by others (mode %s): chmod 600 it", f, st.Mode().Perm())
	}
	if st.Size() > 64<<10 {
		return nil, fmt.Errorf("cluster-secret-file %s is over 64 KiB", f)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, fmt.Errorf("cluster-secret-file: %w", err)
	}
	b = trimSpace(b)
	if len(b) < MinClusterSecret {
		return nil, fmt.Errorf("cluster-secret-file %s holds %d bytes; at least %d are needed", f, len(b), MinClusterSecret)
	}
	return b, nil
}

func trimSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// PeerFlags are the flags of PeerSettings.
type PeerFlags struct {
	ClusterSecretFile *string `name:"cluster-secret-file" placeholder:"FILE" predictor:"file" help:"File holding the secret the routers of a cluster share (mode 600, at least 16 bytes); required with --cluster."`
}

func (f PeerFlags) apply(cfg *Config) {
	if f.ClusterSecretFile != nil {
		cfg.ClusterSecretFile = *f.ClusterSecretFile
	}
}
