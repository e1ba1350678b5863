package config

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode feeds Decode and Validate arbitrary bytes. Properties: no
// panic; a decode error says it is about the config; every problem
// Validate reports starts with the key it is about, so a user knows what
// to fix.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"",
		"port: 9999\nscheduler: marathon\nmarathon-url: http://marathon:8080\nqueue-timeout: 45s\nhostnames: [waiter.example]\n",
		"service-description-defaults:\n  concurrency-level: 4\nprofiles:\n  webapp: {concurrency-level: 120, load-balancing: random}\n",
		"shell:\n  port-range: [10000, 10100]\n  adopt: true\n  health-check-interval: 1s\n",
		"port: -1\ndata-dir: ''\nscheduler: mesos\npoll-interval: -1s\nscaling-policy: magic\nscheduler-workers: -2\nshell: {port-range: [5, 1]}\n",
		"port: 1\n---\nport: 2\n",
		"prot: 1\n",
		"seed: 18446744073709551615\ndrain-timeout: 1h\ndeployment-error-min-hosts: 1\n",
	} {
		f.Add([]byte(seed))
	}
	keys := configKeys(reflect.TypeFor[Config](), "")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Decode(bytes.NewReader(data), Default())
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Fatalf("decode error %q does not say it is about the config", err)
			}
			return
		}
		err = cfg.Validate()
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !startsWithKey(line, keys) {
				t.Fatalf("validation problem %q does not start with the key it is about (keys: %v)", line, keys)
			}
		}
	})
}

// configKeys lists the YAML keys of t, nested ones as "shell.port-range".
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		keys = append(keys, prefix+name)
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == t.PkgPath() {
			keys = append(keys, configKeys(f.Type, prefix+name+".")...)
		}
	}
	return keys
}

func startsWithKey(line string, keys []string) bool {
	for _, k := range keys {
		if strings.HasPrefix(line, k+" ") {
			return true
		}
	}
	return false
}
