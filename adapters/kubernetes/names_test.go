package kubernetes

import (
	"strconv"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/engine"
)

func TestAppNameFitsKubernetes(t *testing.T) {
	for _, id := range []string{
		"waiter-service-myapp-e8b625cc83c411e8974c38d5474b213d",
		"waiter-service-a-very-long-service-name-that-goes-on-and-on-e8b625cc83c411e8974c38d5474b213d",
		"waiter-service-e8b625cc83c411e8974c38d5474b213d",
		"not-a-waiter-id",
	} {
		n := appName(id)
		if len(n)+podSuffixLength+1 > maxNameLength || validName(n) != "" {
			t.Errorf("appName(%q) = %q: not a name pods can extend (%s)", id, n, validName(n))
		}
	}
	if got := appName("waiter-service-myapp-e8b625cc83c411e8974c38d5474b213d"); got != "myapp-e8b625cc83c411e8974c38d5474b213d" {
		t.Errorf("appName = %q", got)
	}
}

func TestInstanceIDRoundTrip(t *testing.T) {
	pod, n, ok := podOf(instanceID("myapp-abc-x7k2p", 12))
	if !ok || pod != "myapp-abc-x7k2p" || n != 12 {
		t.Errorf("podOf = %q %d %v", pod, n, ok)
	}
	for _, bad := range []string{"", "nodash", "pod-x", "-3"} {
		if _, _, ok := podOf(bad); ok {
			t.Errorf("podOf(%q) accepted", bad)
		}
	}
}

// The ReplicaSet carries what Waiter's default-replicaset-builder puts in.
func TestReplicaSetFromDescription(t *testing.T) {
	s := &Scheduler{clusterLabel: "c1"}
	s.cfg, _ = Config{Cluster: "c1", RunAsUser: "waiter", Password: func(string) string { return "pw" }}.withDefaults()
	d, err := engine.NewDescription(engine.Params{"name": "app", "version": "1", "cmd": "./run", "cpus": 0.5, "mem": 128.0,
		"ports": 2.0, "health-check-url": "/hc", "grace-period-secs": 20.0, "health-check-max-consecutive-failures": 3.0,
		"image": "example/app:2", "env": map[string]string{"FOO": "bar"}}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.place(d)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.replicaSet(d, p, 2)
	if err != nil {
		t.Fatal(err)
	}
	c := rs.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	p0 := port0(d.ID, DefaultPodBasePort)
	checks := map[string]bool{
		"namespace":      rs.Namespace == DefaultNamespace,
		"replicas":       *rs.Spec.Replicas == 2,
		"image":          c.Image == "example/app:2",
		"command":        strings.Join(c.Command, " ") == "/bin/sh -c ./run",
		"env FOO":        env["FOO"] == "bar",
		"env PORT0":      env["PORT0"] == itoa(p0) && env["PORT1"] == itoa(p0+1) && env["PORT"] == itoa(p0),
		"env password":   env["WAITER_PASSWORD"] == "pw" && env["WAITER_SERVICE_ID"] == d.ID,
		"mem":            c.Resources.Limits.Memory().String() == "128Mi" && c.Resources.Requests.Memory().String() == "128Mi",
		"cpu":            c.Resources.Requests.Cpu().MilliValue() == 500,
		"readiness":      c.ReadinessProbe.HTTPGet.Path == "/hc" && c.ReadinessProbe.FailureThreshold == 1 && c.ReadinessProbe.PeriodSeconds == 10,
		"liveness":       c.LivenessProbe != nil && c.LivenessProbe.InitialDelaySeconds == 20 && c.LivenessProbe.FailureThreshold == 4,
		"port":           c.Ports[0].ContainerPort == int32(p0),
		"annotations":    rs.Spec.Template.Annotations[annotServiceID] == d.ID && rs.Spec.Template.Annotations[annotPortCount] == "2",
		"cluster label":  rs.Labels[labelCluster] == "c1",
		"port in range":  p0 >= DefaultPodBasePort && p0 < DefaultPodBasePort+1000,
		"grace at least": *rs.Spec.Template.Spec.TerminationGracePeriodSeconds >= 3,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s wrong in %+v", what, rs)
		}
	}
	if _, err := s.replicaSet(&engine.Description{ID: "x", Cmd: "run", CmdType: "docker"}, p, 1); err == nil {
		t.Error("a docker cmd-type was accepted")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
