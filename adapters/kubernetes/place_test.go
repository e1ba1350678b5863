package kubernetes

import (
	"errors"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

// The namespace parameter (the run-as-user or "*", as the engine checks)
// places a service as Waiter's determine-namespace does, within what the
// router watches; without an image parameter the configured image runs;
// pods carry waiter/killing=false, which a kill turns true.
func TestPlacementAndDefaultImage(t *testing.T) {
	desc := func(t *testing.T, extra engine.Params) *engine.Description {
		t.Helper()
		p := engine.Params{"name": "app", "version": "1", "cmd": "./run", "cpus": 0.5, "mem": 128.0, "run-as-user": "alice"}
		for k, v := range extra {
			p[k] = v
		}
		d, err := engine.NewDescription(p, engine.DescriptionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name, cfgNamespace, user, param, want, err string
	}{
		{"the configured namespace", "waiter", "alice", "", "waiter", ""},
		{"the configured * is the run-as-user's", "*", "alice", "", "alice", ""},
		{"the parameter's, watched", "*", "alice", "alice", "alice", ""},
		{"* is the run-as-user's", "*", "alice", "*", "alice", ""},
		{"* with a fixed namespace stays there", "waiter", "alice", "*", "waiter", ""},
		{"a namespace not watched", "waiter", "alice", "alice", "", `only watches namespace "waiter"`},
		{"an invalid name", "*", "Alice_X", "Alice_X", "", `namespace "Alice_X"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Scheduler{clusterLabel: "c1"}
			var err error
			if s.cfg, err = (Config{Cluster: "c1", Namespace: tc.cfgNamespace}).withDefaults(); err != nil {
				t.Fatal(err)
			}
			extra := engine.Params{"run-as-user": tc.user}
			if tc.param != "" {
				extra["namespace"] = tc.param
			}
			p, err := s.place(desc(t, extra))
			switch {
			case tc.err != "":
				if !errors.Is(err, ErrInvalidService) || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("place: %v, want ErrInvalidService saying %q", err, tc.err)
				}
			case err != nil:
				t.Errorf("place: %v", err)
			case p.namespace != tc.want:
				t.Errorf("namespace %q, want %q", p.namespace, tc.want)
			}
		})
	}

	s := &Scheduler{clusterLabel: "c1"}
	s.cfg, _ = Config{Cluster: "c1", Image: "registry.example/default:7"}.withDefaults()
	d := desc(t, nil)
	p, err := s.place(d)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.replicaSet(d, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.Spec.Template.Spec.Containers[0].Image; got != "registry.example/default:7" {
		t.Errorf("image %q without an image parameter, want the configured one", got)
	}
	if got := rs.Spec.Template.Labels[labelKilling]; got != "false" {
		t.Errorf("pod template %s=%q, want \"false\"", labelKilling, got)
	}
	if _, ok := rs.Labels[labelKilling]; ok || rs.Spec.Selector.MatchLabels[labelKilling] != "" {
		t.Errorf("%s must label pods only, not the ReplicaSet or its selector: %v %v", labelKilling, rs.Labels, rs.Spec.Selector)
	}
}
