package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The cluster settings come from flags and file keys; with no cluster
// the router is alone on its bbolt file, as before.
func TestClusterSettings(t *testing.T) {
	cfg, err := parse()
	if err != nil || cfg.Cluster != "" || cfg.ZKBasePath != "/waiter" || cfg.MinRouters != 1 || cfg.ZKSessionTimeout != 10*time.Second {
		t.Fatalf("defaults: %+v %v", cfg.ClusterSettings, err)
	}
	cfg, err = parse("--cluster", "zookeeper", "--zk-connect", "zk1:2181, zk2:2181", "--zk-base-path", "/w/prod",
		"--min-routers", "2", "--router-id", "r1", "--cluster-secret-file", "/etc/waiter/secret")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cluster != ClusterZooKeeper || !reflect.DeepEqual(cfg.ZKServers(), []string{"zk1:2181", "zk2:2181"}) ||
		cfg.ZKBasePath != "/w/prod" || cfg.MinRouters != 2 || cfg.RouterID != "r1" {
		t.Errorf("flags: %+v", cfg.ClusterSettings)
	}
	path := filepath.Join(t.TempDir(), "waiter.yaml")
	yaml := "cluster: zookeeper\nzk-connect: 127.0.0.1:2181\nzk-session-timeout: 4s\nrouter-url: http://r1:9091\ncluster-secret-file: /etc/waiter/secret\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = parse("--config", path)
	if err != nil || cfg.ZKSessionTimeout != 4*time.Second || cfg.RouterURL != "http://r1:9091" || cfg.ZKConnect != "127.0.0.1:2181" {
		t.Errorf("file: %+v %v", cfg.ClusterSettings, err)
	}
}

// Every setting that cannot work is named, at once.
func TestClusterSettingsRefused(t *testing.T) {
	_, err := parse("--cluster", "etcd")
	if err == nil || !strings.Contains(err.Error(), `cluster must be empty (one router) or zookeeper (got "etcd")`) {
		t.Errorf("unknown cluster: %v", err)
	}
	_, err = parse("--cluster", "zookeeper", "--zk-base-path", "waiter/", "--min-routers", "0")
	for _, want := range []string{"needs zk-connect", "zk-base-path must be an absolute znode path", "min-routers must be at least 1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	_, err = parse("--cluster", "zookeeper", "--zk-connect", "zk1,zk2:port,:2181")
	for _, want := range []string{`"zk1" is not host:port`, `"zk2:port" is not host:port`, `":2181" is not host:port`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
