package clusters

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Cluster is one Waiter cluster. The first four keys are Waiter's CLI's;
// the rest say how to authenticate to it.
type Cluster struct {
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	Disabled bool   `yaml:"disabled"`
	// DefaultForCreate picks the cluster `waiter create` writes a new
	// token to when several are enabled.
	DefaultForCreate bool `yaml:"default-for-create"`
	// SyncGroup is Waiter's; kept so its files load, unused.
	SyncGroup string `yaml:"sync-group"`

	// BearerTokenFile holds a bearer token (a JWT) to send to this
	// cluster; WAITER_BEARER_TOKEN and WAITER_BEARER_TOKEN_FILE win.
	BearerTokenFile string `yaml:"bearer-token-file"`
	// Kerberos is auto (answer a Negotiate challenge from the credential
	// cache; the default), always or never.
	Kerberos string `yaml:"kerberos"`
	// KerberosServicePrincipal is the router's principal (default
	// HTTP/<host of url>).
	KerberosServicePrincipal string `yaml:"kerberos-service-principal"`
}

// HTTP holds Waiter's CLI's http settings, in seconds.
type HTTP struct {
	ConnectTimeout float64 `yaml:"connect-timeout"`
	ReadTimeout    float64 `yaml:"read-timeout"`
	Retries        int     `yaml:"retries"` // Waiter's; unused: a retried POST could apply twice
}

// File is the configuration file.
type File struct {
	Clusters []Cluster `yaml:"clusters"`
	// AdditionalClusters come before Clusters (Waiter's rule for a local
	// file adding to a central one).
	AdditionalClusters []Cluster `yaml:"additional-clusters"`
	HTTP               HTTP      `yaml:"http"`
	// Metrics and Plugins are Waiter's CLI's; accepted and unused.
	Metrics any `yaml:"metrics"`
	Plugins any `yaml:"plugins"`
}

// Config is the loaded configuration and where it came from.
type Config struct {
	// Path is the file read ("" for the built-in local cluster).
	Path     string
	Clusters []Cluster
	// Timeout bounds each API call (read-timeout; default 30 s).
	Timeout time.Duration
}

// Local is the cluster used when there is no configuration file: the
// router `waiter serve` starts with no flags.
var Local = Cluster{Name: "local", URL: "http://127.0.0.1:9091"}

// Env reads the environment (os.Getenv in production).
type Env func(string) string

// Candidates are the files looked for, in order, when neither --config
// nor $WAITER_CONFIG names one: ./.waiter.json, then
// $XDG_CONFIG_HOME/waiter/config.yaml (~/.config/waiter/config.yaml), then
// ~/.waiter.json.
func Candidates(getenv Env) []string {
	home := getenv("HOME")
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	out := []string{".waiter.json"}
	if xdg != "" {
		out = append(out, filepath.Join(xdg, "waiter", "config.yaml"))
	}
	if home != "" {
		out = append(out, filepath.Join(home, ".waiter.json"))
	}
	return out
}

// Load reads the configuration: path when given (it must exist), else
// $WAITER_CONFIG (it must exist), else the first of Candidates that
// exists, else the built-in local cluster.
func Load(path string, getenv Env) (*Config, error) {
	if path == "" {
		path = getenv("WAITER_CONFIG")
	}
	if path != "" {
		return loadFile(path)
	}
	for _, p := range Candidates(getenv) {
		if _, err := os.Stat(p); err == nil {
			return loadFile(p)
		}
	}
	return &Config{Clusters: []Cluster{Local}, Timeout: 30 * time.Second}, nil
}

func loadFile(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	cfg, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	cfg.Path = path
	return cfg, nil
}

// Decode reads a configuration (YAML, or JSON, which is YAML too),
// refusing unknown keys, and checks every cluster.
func Decode(r io.Reader) (*Config, error) {
	var f File
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	cfg := &Config{Clusters: append(append([]Cluster(nil), f.AdditionalClusters...), f.Clusters...), Timeout: 30 * time.Second}
	if f.HTTP.ReadTimeout > 0 {
		cfg.Timeout = time.Duration(f.HTTP.ReadTimeout * float64(time.Second))
	}
	var errs []error
	seen := map[string]bool{}
	for i := range cfg.Clusters {
		c := &cfg.Clusters[i]
		if c.Name == "" {
			errs = append(errs, fmt.Errorf("clusters[%d]: name is missing", i))
		}
		if seen[strings.ToLower(c.Name)] {
			errs = append(errs, fmt.Errorf("clusters[%d]: name %q appears twice", i, c.Name))
		}
		seen[strings.ToLower(c.Name)] = true
		u, err := NormalizeURL(c.URL)
		if err != nil {
			errs = append(errs, fmt.Errorf("clusters[%d] (%s): %w", i, c.Name, err))
		}
		c.URL = u
		switch c.Kerberos {
		case "", "auto", "always", "never":
		default:
			errs = append(errs, fmt.Errorf("clusters[%d] (%s): kerberos must be auto, always or never (got %q)", i, c.Name, c.Kerberos))
		}
	}
	if len(cfg.Clusters) == 0 {
		errs = append(errs, errors.New("clusters: the file lists no cluster"))
	}
	return cfg, errors.Join(errs...)
}

// NormalizeURL checks a cluster URL, adding http:// when it has no
// scheme (as Waiter's CLI does) and dropping a trailing slash.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("url is missing")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("url %q must look like http://host:port", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Select picks the clusters a command acts on: the one --url names (a
// cluster called by its URL), the one --cluster names (even if disabled),
// or every enabled one. explicit reports that the user chose.
func (c *Config) Select(name, rawURL string) (chosen []Cluster, explicit bool, err error) {
	switch {
	case name != "" && rawURL != "":
		return nil, false, errors.New("give --cluster or --url, not both")
	case rawURL != "":
		u, err := NormalizeURL(rawURL)
		if err != nil {
			return nil, false, fmt.Errorf("--url: %w", err)
		}
		return []Cluster{{Name: u, URL: u}}, true, nil
	case name != "":
		for _, cl := range c.Clusters {
			if strings.EqualFold(cl.Name, name) {
				return []Cluster{cl}, true, nil
			}
		}
		return nil, false, fmt.Errorf("no cluster named %q in %s; configured: %s", name, c.source(), strings.Join(c.names(), ", "))
	}
	for _, cl := range c.Clusters {
		if !cl.Disabled {
			chosen = append(chosen, cl)
		}
	}
	if len(chosen) == 0 {
		return nil, false, fmt.Errorf("every cluster in %s is disabled; pick one with --cluster NAME or --url URL", c.source())
	}
	return chosen, false, nil
}

func (c *Config) names() []string {
	out := make([]string, 0, len(c.Clusters))
	for _, cl := range c.Clusters {
		out = append(out, cl.Name)
	}
	return out
}

func (c *Config) source() string {
	if c.Path == "" {
		return "the built-in configuration"
	}
	return c.Path
}
