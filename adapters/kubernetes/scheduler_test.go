package kubernetes

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/waiter-go/waiter/engine"
)

// readyPods counts the service's pods that are Ready.
func readyPods(t *testing.T, ns, app string) int {
	t.Helper()
	pods, err := cluster.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: labelApp + "=" + app})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pods.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				n++
			}
		}
	}
	return n
}

// podsReady: every pod of the service is Ready in the API server (the
// ReplicaSet controller ranks pods by it).
func podsReady(t *testing.T, ns, app string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pods, err := cluster.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: labelApp + "=" + app})
		ready := 0
		if err == nil {
			for _, p := range pods.Items {
				for _, c := range p.Status.Conditions {
					if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
						ready++
					}
				}
			}
		}
		if err == nil && ready == n && len(pods.Items) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pods of %s: %d ready of %d, want %d (%v)", app, ready, len(pods.Items), n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A scale-down kill deletes exactly the chosen pod and lowers the
// replicas with it: the ReplicaSet controller neither creates a
// replacement nor deletes another pod, even when another pod is not
// Ready yet (which the controller would remove first of its own accord).
func TestKillDeletesThatPodAndLowersReplicas(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "kill"})
	// It listens a second after it starts: the kubelet's first readiness
	// probe fails, the next comes a period (5 s) later.
	d := describe(t, s, "kill", engine.Params{"health-check-interval-secs": 5.0, "cmd": "sleep 1; exec '" + serviceBinary(t) + "'"})
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 2) })
	app := appName(d.ID)
	podsReady(t, "waiter", app, 2)
	retry(t, "scale", func(ctx context.Context) error { return s.ScaleService(ctx, d.ID, 3, false) })
	o := await(t, s, d.ID, "3 running instances", func(o engine.Observation) bool { return len(o.Instances) == 3 })
	if n := readyPods(t, "waiter", app); n != 2 {
		t.Fatalf("%d pods Ready right after the scale-up, want 2 (the new one not yet)", n)
	}
	var ready []engine.ObservedInstance
	for _, in := range o.Instances {
		if time.Since(in.StartedAt) > 3*time.Second {
			ready = append(ready, in)
		}
	}
	o.Instances = ready

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := cluster.Client.CoreV1().Pods("waiter").List(ctx, metav1.ListOptions{LabelSelector: labelApp + "=" + app})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cluster.Client.CoreV1().Pods("waiter").Watch(ctx, metav1.ListOptions{LabelSelector: labelApp + "=" + app,
		ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// The pod that is not Ready is the one the controller would remove
	// first of its own accord; kill the oldest Ready one instead.
	slices.SortFunc(o.Instances, func(a, b engine.ObservedInstance) int { return a.StartedAt.Compare(b.StartedAt) })
	victim := o.Instances[0]
	victimPod, _, _ := podOf(victim.ID)
	retry(t, "kill", func(ctx context.Context) error { return s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}) })

	// The controller has acted on replicas=2 once its status says so.
	for {
		rs, err := cluster.Client.AppsV1().ReplicaSets("waiter").Get(ctx, app, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *rs.Spec.Replicas != 2 {
			t.Fatalf("replicas %d after the kill, want 2", *rs.Spec.Replicas)
		}
		if rs.Status.ObservedGeneration >= rs.Generation && rs.Status.Replicas == 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the ReplicaSet controller never settled on 2 replicas")
		}
		time.Sleep(20 * time.Millisecond)
	}
	deleted := map[string]bool{}
	for len(deleted) == 0 || !deleted[victimPod] {
		select {
		case ev := <-w.ResultChan():
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			switch ev.Type {
			case watch.Added:
				t.Errorf("pod %s created after the kill", p.Name)
			case watch.Deleted:
				deleted[p.Name] = true
			case watch.Modified:
				if p.DeletionTimestamp != nil {
					deleted[p.Name] = true
				}
			}
		case <-ctx.Done():
			t.Fatalf("the killed pod %s was never deleted; deleted %v", victimPod, deleted)
		}
	}
	after := await(t, s, d.ID, "2 healthy", healthyN(2))
	for _, in := range after.Instances {
		if in.ID == victim.ID {
			t.Errorf("killed instance %s still listed", victim.ID)
		}
	}
	for name := range deleted {
		if name != victimPod {
			t.Errorf("pod %s was deleted too; only %s was chosen", name, victimPod)
		}
	}
}

// Deployment errors reach the router as soon as a pod's status shows
// them, with Waiter's messages where Waiter has one.
func TestDeploymentErrorsAtOnce(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "errors"})
	cases := []struct {
		name   string
		params engine.Params
		want   string
		flag   engine.InstanceFlags
	}{
		{"command not found", engine.Params{"cmd": "no-such-command-for-waiter"}, engine.DeployBadStartupCommand, 0},
		// A command that exits non-zero, restarted by the kubelet into
		// CrashLoopBackOff: Waiter's "Invalid startup command" too.
		{"crash loop", engine.Params{"cmd": "exit 3"}, engine.DeployBadStartupCommand, 0},
		{"oom", engine.Params{"cmd": "head -c 400000000 /dev/zero | tail", "mem": 24.0}, engine.DeployNotEnoughMemory, engine.FlagMemoryLimitExceeded},
		{"image", engine.Params{"image": "registry.example/does-not-exist:1"}, msgImagePull + " registry.example/does-not-exist:1: ", 0},
		{"unschedulable", engine.Params{"cpus": 30.0}, msgUnschedulable + ": 0/1 nodes are available: 1 Insufficient cpu.", 0},
		{"never ready", engine.Params{"env": map[string]string{"SERVICE_HEALTH_STATUS": "500"}, "grace-period-secs": 1.0,
			"health-check-max-consecutive-failures": 1.0, "health-check-interval-secs": 5.0}, engine.DeployInvalidHealthCheck, engine.FlagNeverPassedHealthChecks},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := describe(t, s, strings.ReplaceAll(tc.name, " ", ""), tc.params)
			start := time.Now()
			retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
			o := await(t, s, d.ID, "a deployment error", func(o engine.Observation) bool { return o.DeploymentError != "" })
			t.Logf("%s: %q after %v", tc.name, o.DeploymentError, time.Since(start).Round(time.Millisecond))
			if !strings.HasPrefix(o.DeploymentError, tc.want) {
				t.Errorf("deployment error %q, want %q", o.DeploymentError, tc.want)
			}
			if tc.flag != 0 && !slices.ContainsFunc(o.Failed, func(f engine.ObservedInstance) bool { return f.Flags&tc.flag != 0 }) {
				t.Errorf("no failed instance flagged %b: %+v", tc.flag, o.Failed)
			}
		})
	}
}

// An instance whose container the kubelet restarted restart-expiry-
// threshold times is expired, as Waiter's check-expired says.
func TestRestartedInstancesExpire(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "expiry", RestartExpiryThreshold: 2, RestartKillThreshold: 50})
	// It serves for a moment, then exits: the kubelet restarts it.
	d := describe(t, s, "flaky", engine.Params{"cmd": "timeout 1 '" + serviceBinary(t) + "'; exit 1"})
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	o := await(t, s, d.ID, "a running instance restarted twice", func(o engine.Observation) bool {
		return len(o.Instances) == 1 && strings.HasSuffix(o.Instances[0].ID, "-2")
	})
	if o.Instances[0].Flags&engine.FlagExpired == 0 {
		t.Errorf("instance %s restarted twice is not expired: %+v", o.Instances[0].ID, o.Instances[0])
	}
	if len(o.Failed) < 2 || !o.Failed[0].HasExitCode || o.Failed[0].ExitCode != 1 {
		t.Errorf("failed instances %+v, want two that exited 1", o.Failed)
	}
}

// run-as-user picks the namespace (Namespace "*") and the pod's uid.
func TestRunAsUserNamespaceAndUID(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "users", Namespace: "*", UIDs: map[string]int64{"alice": 0}})
	d := describe(t, s, "alice", engine.Params{"run-as-user": "alice"})
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	await(t, s, d.ID, "1 healthy", healthyN(1))
	rs, err := cluster.Client.AppsV1().ReplicaSets("alice").Get(context.Background(), appName(d.ID), metav1.GetOptions{})
	if err != nil {
		t.Fatalf("no ReplicaSet in alice's namespace: %v", err)
	}
	sc := rs.Spec.Template.Spec.Containers[0].SecurityContext
	if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 0 {
		t.Errorf("security context %+v, want runAsUser 0 from the mapping", sc)
	}
	if got := rs.Labels[labelUser]; got != "alice" {
		t.Errorf("label %s = %q", labelUser, got)
	}
	// Without a namespace of its own, bob's service is refused.
	bob := describe(t, s, "bob", engine.Params{"run-as-user": "bob"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.CreateService(ctx, bob, 1); err == nil || !strings.Contains(err.Error(), `namespaces "bob" not found`) {
		t.Errorf("creating in a missing namespace: %v", err)
	}
}

// Subscribe announces a service's changes as the watches see them.
func TestSubscribeAnnouncesChanges(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "notify"})
	ch := s.Subscribe()
	d := describe(t, s, "notify", nil)
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	timeout := time.After(30 * time.Second)
	for {
		select {
		case id := <-ch:
			if id == d.ID {
				return
			}
		case <-timeout:
			t.Fatal("no notification for the created service")
		}
	}
}
