package kubernetes

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/waiter-go/waiter/engine"
)

// placement is where a service's ReplicaSet lives.
type placement struct {
	namespace, name, user string
}

// place decides the ReplicaSet's namespace as Waiter's determine-namespace
// does: the service's namespace parameter, else the configured one, where
// "*" means the run-as-user's own.
func (s *Scheduler) place(d *engine.Description) (placement, error) {
	user := s.runAs(d)
	ns, _ := d.Param("namespace").(string)
	if ns == "" || ns == "*" && s.cfg.Namespace != "*" {
		ns = s.cfg.Namespace
	}
	if ns == "*" {
		ns = user
	}
	if ns == "" {
		return placement{}, fmt.Errorf("kubernetes: service %s: %w: no namespace (no run-as-user for namespace \"*\")", d.ID, ErrInvalidService)
	}
	if msg := validName(ns); msg != "" {
		return placement{}, fmt.Errorf("kubernetes: service %s: %w: namespace %q: %s", d.ID, ErrInvalidService, ns, msg)
	}
	if !s.cfg.WatchAllNamespaces && ns != s.cfg.Namespace {
		return placement{}, fmt.Errorf("kubernetes: service %s: %w: namespace %q: this router only watches namespace %q",
			d.ID, ErrInvalidService, ns, s.cfg.Namespace)
	}
	return placement{namespace: ns, name: appName(d.ID), user: user}, nil
}

// runAs is the user a service runs as: its run-as-user, else the
// configured default.
func (s *Scheduler) runAs(d *engine.Description) string {
	if d.RunAsUser != "" && d.RunAsUser != "*" {
		return d.RunAsUser
	}
	return s.cfg.RunAsUser
}

// replicaSet builds the ReplicaSet of d as Waiter's default-replicaset-
// builder does: one container running the init commands then cmd, with
// Waiter's environment, PORT and PORT0..n-1 from a per-service port0, the
// cpus and mem as requests (mem also as the limit), the health check as
// a readiness probe (failure threshold 1) and, when grace-period-secs is
// positive, as a liveness probe from then on (max failures + 1, since
// Kubernetes counts runs where Marathon counted retries), and the
// termination grace period.
func (s *Scheduler) replicaSet(d *engine.Description, p placement, replicas int) (*appsv1.ReplicaSet, error) {
	if d.CmdType != "" && d.CmdType != "shell" {
		return nil, fmt.Errorf("kubernetes: service %s: %w: cmd-type %q is not supported", d.ID, ErrInvalidService, d.CmdType)
	}
	if strings.TrimSpace(d.Cmd) == "" {
		return nil, fmt.Errorf("kubernetes: service %s: %w: no cmd", d.ID, ErrInvalidService)
	}
	ports := max(d.Ports, 1)
	base := port0(d.ID, s.cfg.PodBasePort)
	env := engine.InstanceEnv(engine.EnvSpec{
		ServiceID: d.ID, ConcurrencyLevel: d.ConcurrencyLevel, CPUs: d.CPUs, MemMB: d.MemMB,
		MetricGroup: d.MetricGroup, Env: d.Env, RunAsUser: p.user, Home: s.cfg.HomePathPrefix + p.user,
		Cluster: s.cfg.Cluster, Password: s.cfg.Password(d.ID), Ports: portList(base, ports),
	})
	env["PORT"] = strconv.Itoa(base)
	image, _ := d.Param("image").(string)
	if image == "" {
		image = s.cfg.Image
	}
	mem, err := resource.ParseQuantity(engine.FormatNumber(d.MemMB) + "Mi")
	if err != nil {
		return nil, fmt.Errorf("kubernetes: service %s: %w: mem %v: %w", d.ID, ErrInvalidService, d.MemMB, err)
	}
	cpu, err := resource.ParseQuantity(engine.FormatNumber(d.CPUs))
	if err != nil {
		return nil, fmt.Errorf("kubernetes: service %s: %w: cpus %v: %w", d.ID, ErrInvalidService, d.CPUs, err)
	}
	hcPort := base + d.HealthCheckPortIndex
	proto := d.BackendProto
	if hp, _ := d.Param("health-check-proto").(string); hp != "" {
		proto = hp
	}
	scheme := corev1.URISchemeHTTP
	if proto == "https" || proto == "h2" {
		scheme = corev1.URISchemeHTTPS
	}
	interval := int32(max(d.HealthCheckInterval/time.Second, 1))
	probe := func() *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: d.HealthCheckURL, Port: intstr.FromInt32(int32(hcPort)), Scheme: scheme,
			HTTPHeaders: []corev1.HTTPHeader{{Name: "x-waiter-request-type", Value: "health-check"}}}},
			PeriodSeconds: interval, TimeoutSeconds: 1, SuccessThreshold: 1}
	}
	c := corev1.Container{
		Name:            containerName,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         append(append([]string{}, s.cfg.ContainerInitCommands...), d.Cmd),
		Env:             envList(env),
		Ports:           []corev1.ContainerPort{{ContainerPort: int32(base), Protocol: corev1.ProtocolTCP}},
		Resources: corev1.ResourceRequirements{
			Limits:   corev1.ResourceList{corev1.ResourceMemory: mem},
			Requests: corev1.ResourceList{corev1.ResourceMemory: mem, corev1.ResourceCPU: cpu},
		},
		ReadinessProbe: probe(),
	}
	c.ReadinessProbe.FailureThreshold = 1
	if d.GracePeriod > 0 {
		c.LivenessProbe = probe()
		c.LivenessProbe.FailureThreshold = int32(d.HealthCheckMaxFailures + 1)
		c.LivenessProbe.InitialDelaySeconds = int32(d.GracePeriod / time.Second)
	}
	if uid, ok := s.cfg.UIDs[p.user]; ok {
		nonRoot := uid != 0
		c.SecurityContext = &corev1.SecurityContext{RunAsUser: &uid, RunAsGroup: &uid, RunAsNonRoot: &nonRoot}
	}
	grace := int64(max(d.TerminationGracePeriod, s.cfg.PodSigkillDelay) / time.Second)
	automount := p.namespace == p.user // Waiter: a token only in the user's own namespace
	labels := map[string]string{
		labelApp:         p.name,
		labelCluster:     s.clusterLabel,
		labelServiceHash: serviceHash(d.ID),
		labelUser:        labelValue(p.user),
	}
	podLabels := maps.Clone(labels)
	podLabels[labelKilling] = "false"
	n := int32(replicas)
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: p.namespace, Labels: labels,
			Annotations: map[string]string{annotServiceID: d.ID}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &n,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{labelApp: p.name, labelUser: labelValue(p.user)}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: map[string]string{
					annotServiceID: d.ID, annotPortCount: strconv.Itoa(ports), annotServicePort: strconv.Itoa(base)}},
				Spec: corev1.PodSpec{
					Containers:                    []corev1.Container{c},
					RestartPolicy:                 corev1.RestartPolicyAlways,
					TerminationGracePeriodSeconds: &grace,
					AutomountServiceAccountToken:  &automount,
				},
			},
		},
	}, nil
}

func portList(base, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = base + i
	}
	return out
}

// envList is env in name order (a stable pod template).
func envList(env map[string]string) []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(env))
	for k, v := range env {
		out = append(out, corev1.EnvVar{Name: k, Value: v})
	}
	slices.SortFunc(out, func(a, b corev1.EnvVar) int { return strings.Compare(a.Name, b.Name) })
	return out
}
