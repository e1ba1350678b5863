package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
	"github.com/waiter-go/waiter/cmd/waiter/internal/clusters"
	"github.com/waiter-go/waiter/internal/clikit"
)

// clusterFlags choose the clusters a command talks to; every command but
// serve embeds them.
type clusterFlags struct {
	Cluster string `short:"c" placeholder:"NAME" help:"The cluster to act on, by its name in the configuration (default: every enabled cluster)."`
	URL     string `name:"url" placeholder:"URL" help:"The router to act on, by URL (instead of a configured cluster)."`
	Config  string `placeholder:"FILE" predictor:"file" help:"The clusters' configuration (default: $$WAITER_CONFIG, ./.waiter.json, ~/.config/waiter/config.yaml, ~/.waiter.json; with none, http://127.0.0.1:9091)."`
}

// targets are the clusters a command acts on, each with its client.
type targets struct {
	clients []*client.Client
	// explicit is set when --cluster or --url chose the one cluster.
	explicit bool
	// defaultForCreate is the cluster that takes new tokens when several
	// are enabled (nil when none is marked).
	defaultForCreate *client.Client
}

// targets loads the configuration and makes a client per chosen cluster.
func (f clusterFlags) targets(e *env) (*targets, error) {
	cfg, err := clusters.Load(f.Config, e.getenv)
	if err != nil {
		return nil, usagef("%v", err)
	}
	chosen, explicit, err := cfg.Select(f.Cluster, f.URL)
	if err != nil {
		return nil, usagef("%v", err)
	}
	t := &targets{explicit: explicit}
	for _, cl := range chosen {
		auth, err := authFor(cl, e.getenv)
		if err != nil {
			return nil, usagef("cluster %s: %v", cl.Name, err)
		}
		c, err := client.New(client.Config{Name: cl.Name, URL: cl.URL, Auth: auth, Timeout: cfg.Timeout,
			UserAgent: "waiter-cli/" + clikit.Version("waiter")})
		if err != nil {
			return nil, usagef("%v", err)
		}
		t.clients = append(t.clients, c)
		if cl.DefaultForCreate {
			t.defaultForCreate = c
		}
	}
	return t, nil
}

// authFor is how to prove who we are to cl: a bearer token from
// WAITER_BEARER_TOKEN, WAITER_BEARER_TOKEN_FILE or the cluster's
// bearer-token-file, else Kerberos as the cluster says (auto by default).
func authFor(cl clusters.Cluster, getenv func(string) string) (client.Auth, error) {
	a := client.Auth{Kerberos: cl.Kerberos, ServicePrincipal: cl.KerberosServicePrincipal, Getenv: getenv}
	if tok := strings.TrimSpace(getenv("WAITER_BEARER_TOKEN")); tok != "" {
		a.Bearer = tok
		return a, nil
	}
	path, from := getenv("WAITER_BEARER_TOKEN_FILE"), "WAITER_BEARER_TOKEN_FILE"
	if path == "" {
		path, from = cl.BearerTokenFile, "bearer-token-file"
	}
	if path == "" {
		return a, nil
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		path = filepath.Join(getenv("HOME"), rest)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return a, fmt.Errorf("%s: %w", from, err)
	}
	if a.Bearer = strings.TrimSpace(string(b)); a.Bearer == "" {
		return a, fmt.Errorf("%s: %s is empty", from, path)
	}
	return a, nil
}

// names lists the clusters for messages: "local / dev".
func (t *targets) names() string {
	var out []string
	for _, c := range t.clients {
		out = append(out, c.Name())
	}
	return strings.Join(out, " / ")
}

// found is a token on one cluster.
type found struct {
	c     *client.Client
	token *client.Token
}

// findToken reads the token from every target at once. A cluster that
// cannot be reached is reported on stderr and skipped, unless it was the
// only one asked.
func (t *targets) findToken(e *env, name string, metadata bool) ([]found, error) {
	type answer struct {
		tok *client.Token
		err error
	}
	answers := make([]answer, len(t.clients))
	var wg sync.WaitGroup
	for i, c := range t.clients {
		wg.Go(func() {
			tok, err := c.GetToken(e.ctx, name, metadata)
			answers[i] = answer{tok, err}
		})
	}
	wg.Wait()
	var out []found
	var unreachable []error
	for i, a := range answers {
		var re *client.UnreachableError
		switch {
		case a.err == nil:
			out = append(out, found{t.clients[i], a.tok})
		case client.IsNotFound(a.err):
		case errors.As(a.err, &re) && len(t.clients) > 1:
			fmt.Fprintf(e.stderr, "warning: %v\n", a.err)
			unreachable = append(unreachable, a.err)
		default:
			return nil, a.err
		}
	}
	if len(out) == 0 && len(unreachable) == len(t.clients) {
		return nil, errors.Join(unreachable...)
	}
	return out, nil
}

// oneToken is the one cluster a command that changes a token acts on:
// where the token is. A token on several clusters needs --cluster.
func (t *targets) oneToken(e *env, name string) (found, error) {
	all, err := t.findToken(e, name, false)
	if err != nil {
		return found{}, err
	}
	switch len(all) {
	case 0:
		fmt.Fprintf(e.stderr, "There is no token %s on %s.\n", name, t.names())
		return found{}, &failure{code: exitFailed}
	case 1:
		return all[0], nil
	}
	var where []string
	for _, f := range all {
		where = append(where, f.c.Name())
	}
	return found{}, usagef("token %s is on several clusters (%s); pick one with --cluster", name, strings.Join(where, ", "))
}
