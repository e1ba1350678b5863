package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPeerSettings(t *testing.T) {
	cfg, err := parse()
	if err != nil || cfg.MetricsSyncInterval != 50*time.Millisecond || cfg.PeerCountersTTL != 2*time.Second || cfg.ClusterSecretFile != "" {
		t.Fatalf("defaults: %+v %v", cfg.PeerSettings, err)
	}
	_, err = parse("--cluster", "zookeeper", "--zk-connect", "zk1:2181")
	if err == nil || !strings.Contains(err.Error(), "cluster zookeeper needs cluster-secret-file") {
		t.Fatalf("a cluster without a secret: %v", err)
	}
	path := filepath.Join(t.TempDir(), "waiter.yaml")
	if err := os.WriteFile(path, []byte("metrics-sync-interval: 2s\npeer-counters-ttl: 1s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := parse("--config", path); err == nil || !strings.Contains(err.Error(), "peer-counters-ttl (1s) must be longer") {
		t.Fatalf("ttl under the interval: %v", err)
	}
}

func TestClusterSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) PeerSettings {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return PeerSettings{ClusterSecretFile: p}
	}
	got, err := write("ok", "  0123456789abcdef\n", 0o600).ClusterSecret()
	if err != nil || string(got) != "0123456789abcdef" {
		t.Fatalf("good secret: %q %v", got, err)
	}
	for name, tc := range map[string]struct {
		s    PeerSettings
		want string
	}{
		"short":   {write("short", "abc\n", 0o600), "at least 16"},
		"open":    {write("open", "0123456789abcdef", 0o644), "readable by others"},
		"missing": {PeerSettings{ClusterSecretFile: filepath.Join(dir, "none")}, "no such file"},
	} {
		if _, err := tc.s.ClusterSecret(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", name, err, tc.want)
		}
	}
}
