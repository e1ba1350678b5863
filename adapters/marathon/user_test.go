package marathon

import (
	"context"
	"net/http"
	"testing"
)

// The app's user is the service's run-as-user (reference 8.2), and the
// simulated Marathon takes it and gives it back as Marathon does; a
// service without one runs as the configured default user.
func TestAppUserIsTheRunAsUser(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, nil)
	s := newScheduler(t, url, func(c *Config) { c.RunAsUser = "waiter" })
	for _, c := range []struct{ name, runAs, want string }{
		{"runas", "alice", "alice"},
		{"default", "", "waiter"},
	} {
		extra := map[string]any{}
		if c.runAs != "" {
			extra["run-as-user"] = c.runAs
		}
		d := describe(t, "user-"+c.name, extra)
		if err := s.CreateService(context.Background(), d, 1); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(url + "/v2/apps/" + d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			App struct {
				User   *string           `json:"user"`
				Labels map[string]string `json:"labels"`
			} `json:"app"`
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v2/apps/%s: %s", d.ID, resp.Status)
		}
		if err := decodeJSON(resp, &body); err != nil {
			t.Fatal(err)
		}
		if body.App.User == nil || *body.App.User != c.want || body.App.Labels["user"] != c.want {
			t.Errorf("%s: app user %v, label user %q; want %q for both", c.name, body.App.User, body.App.Labels["user"], c.want)
		}
	}
}
