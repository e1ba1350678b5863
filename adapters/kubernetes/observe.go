package kubernetes

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/waiter-go/waiter/engine"
)

// Messages of the deployment errors this scheduler sees directly in pod
// status, where Waiter would wait for failed instances to pile up.
// Waiter's own messages are used where it has one (a command that is not
// found, an OOM kill, a health check never passed); Waiter has none for
// an image that cannot be pulled or a pod no node can take, which it only
// shows as Kubernetes events, so these carry Kubernetes' reason.
const (
	msgImagePull     = "Unable to pull image"
	msgUnschedulable = "Not enough resources to schedule an instance"
)

// Observe returns every service's ReplicaSet as the watches last saw it:
// requested = spec.replicas, scheduled = its pods not being deleted, the
// pods whose container runs as instances (healthy when Ready; the router
// checks the health of the others itself, as Waiter's scheduler syncer
// does, for their status and the facts of deployment errors), the recent
// failures (each restart of a container is a failed instance, as in
// Waiter), and a deployment error read from pod status at once: a pod no
// node can take, an image that cannot be pulled, a container in a crash
// loop or whose command is not found, an OOM kill, or one killed by its
// liveness probe without ever having been ready.
func (s *Scheduler) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	if err := s.ready(ctx, "observe"); err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range s.replicaSets.List() {
		rs := o.(*appsv1.ReplicaSet)
		if id := rs.Annotations[annotServiceID]; id != "" && strings.HasPrefix(id, s.cfg.ServicePrefix) {
			ids = append(ids, id)
		}
	}
	obs := s.observe(ctx, ids)
	s.mu.Lock()
	for id := range s.failed {
		if obs[id] == nil && s.replicaSetOf(id) == nil {
			delete(s.failed, id)
		}
	}
	s.mu.Unlock()
	out := make(map[string]engine.Observation, len(obs))
	for id, o := range obs {
		out[id] = *o
	}
	return out, nil
}

// ObserveService is Observe for one service (Exists false when it has
// no ReplicaSet); the driver calls it when Subscribe names the service.
func (s *Scheduler) ObserveService(ctx context.Context, serviceID string) (engine.Observation, error) {
	if err := s.ready(ctx, "observe"); err != nil {
		return engine.Observation{}, err
	}
	if o := s.observe(ctx, []string{serviceID})[serviceID]; o != nil {
		return *o, nil
	}
	return engine.Observation{}, nil
}

// observe builds the observations of the services ids that have a
// ReplicaSet, health-checks their running pods that are not ready, and
// deletes the pods that restarted too often.
func (s *Scheduler) observe(ctx context.Context, ids []string) map[string]*engine.Observation {
	obs := map[string]*engine.Observation{}
	var jobs []probeJob
	var doomed []*corev1.Pod
	s.mu.Lock()
	for _, id := range ids {
		rs := s.replicaSetOf(id)
		if rs == nil || obs[id] != nil {
			continue
		}
		ob := &engine.Observation{Exists: true}
		if rs.Spec.Replicas != nil {
			ob.Requested = int(*rs.Spec.Replicas)
		}
		pods := s.podsOf(id)
		slices.SortFunc(pods, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
		for _, p := range pods {
			if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
				continue
			}
			ob.Scheduled++
			if ob.DeploymentError == "" {
				ob.DeploymentError = s.podError(p)
			}
			cs := containerStatus(p)
			if cs == nil || cs.State.Running == nil || p.Status.PodIP == "" {
				continue
			}
			in := engine.ObservedInstance{ID: instanceID(p.Name, cs.RestartCount), Host: p.Status.PodIP,
				Port: podPort(p), StartedAt: cs.State.Running.StartedAt.Time, Healthy: cs.Ready}
			f := s.facts[in.ID]
			in.Flags = f.flags
			if int(cs.RestartCount) >= s.cfg.RestartExpiryThreshold {
				in.Flags |= engine.FlagExpired
			}
			if int(cs.RestartCount) >= s.cfg.RestartKillThreshold {
				in.Healthy = false
				in.Message = "Application restarting frequently"
				doomed = append(doomed, p)
			}
			if in.Healthy {
				in.HealthCheckStatus = 200
			} else if u := healthURL(p); u != "" && s.cfg.ProbeTimeout > 0 && in.Message == "" {
				jobs = append(jobs, probeJob{service: id, index: len(ob.Instances), url: u})
			}
			ob.Instances = append(ob.Instances, in)
		}
		ob.Failed = slices.Clone(s.failed[id])
		obs[id] = ob
	}
	s.mu.Unlock()

	s.runProbes(ctx, obs, jobs)
	for _, p := range doomed {
		// Waiter's kill-restart-threshold-exceeded-pod: the ReplicaSet
		// starts a fresh pod in its place.
		err := s.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &p.UID}})
		if err != nil {
			s.log.Warn("kubernetes: deleting a frequently restarting pod", "pod", p.Name, "err", err)
		}
	}
	return obs
}

// podError is the deployment error pod's status shows, or "". Called with
// s.mu held.
func (s *Scheduler) podError(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return msgUnschedulable + ": " + c.Message
		}
	}
	cs := containerStatus(p)
	if cs == nil || cs.Ready {
		return ""
	}
	if w := cs.State.Waiting; w != nil {
		switch w.Reason {
		case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull":
			msg := msgImagePull + " " + cs.Image + ": " + w.Reason
			if w.Message != "" {
				msg += ": " + w.Message
			}
			return msg
		}
	}
	if cs.RestartCount == 0 {
		return ""
	}
	var last *engine.ObservedInstance
	id := instanceID(p.Name, cs.RestartCount-1)
	for i, f := range s.failed[p.Annotations[annotServiceID]] {
		if f.ID == id {
			last = &s.failed[p.Annotations[annotServiceID]][i]
		}
	}
	if last == nil {
		return ""
	}
	crashLoop := cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff"
	switch {
	case last.Flags&engine.FlagMemoryLimitExceeded != 0:
		return engine.DeployNotEnoughMemory
	case last.HasExitCode && (last.ExitCode == 126 || last.ExitCode == 127 || crashLoop && last.ExitCode != 0):
		return engine.DeployBadStartupCommand
	case last.Flags&engine.FlagNeverPassedHealthChecks != 0:
		switch {
		case last.Flags&engine.FlagHasConnected == 0:
			return engine.DeployCannotConnect
		case last.Flags&engine.FlagHasResponded == 0:
			return engine.DeployHealthCheckTimedOut
		default:
			return engine.DeployInvalidHealthCheck
		}
	}
	return ""
}

// notePod records what a pod's status says as the watch delivers it:
// that its current run became ready, and the run that ended when its
// container last restarted, as a failed instance (Waiter's
// track-failed-instances!): an OOM kill flagged memory-limit-exceeded, a
// run that never became ready and was stopped by a signal or ended
// cleanly (a liveness kill) flagged never-passed-health-checks, any other
// with its exit code.
func (s *Scheduler) notePod(obj any) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	id := p.Annotations[annotServiceID]
	cs := containerStatus(p)
	if id == "" || !strings.HasPrefix(id, s.cfg.ServicePrefix) || cs == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs.Ready {
		cur := instanceID(p.Name, cs.RestartCount)
		f := s.facts[cur]
		f.wasReady = true
		s.facts[cur] = f
	}
	t := cs.LastTerminationState.Terminated
	if t == nil || cs.RestartCount == 0 {
		return
	}
	fid := instanceID(p.Name, cs.RestartCount-1)
	if slices.ContainsFunc(s.failed[id], func(f engine.ObservedInstance) bool { return f.ID == fid }) {
		return
	}
	f := s.facts[fid]
	delete(s.facts, fid)
	in := engine.ObservedInstance{ID: fid, Host: p.Status.PodIP, Port: podPort(p), StartedAt: t.StartedAt.Time,
		Flags: f.flags, HealthCheckStatus: f.lastCheck, Message: t.Reason}
	switch {
	case t.Reason == "OOMKilled":
		// No exit code: Waiter tests memory before exit codes, this
		// engine the other way round, and every OOM kill exits 137.
		in.Flags |= engine.FlagMemoryLimitExceeded
	case !f.wasReady && (t.ExitCode == 0 || t.ExitCode == 137 || t.ExitCode == 143 || t.Signal != 0):
		in.Flags |= engine.FlagNeverPassedHealthChecks
	case t.ExitCode == 137 || t.ExitCode == 143:
		// Waiter's killed-by-k8s?: no exit code for a kill.
	default:
		in.ExitCode, in.HasExitCode = int(t.ExitCode), true
	}
	list := append(s.failed[id], in)
	if len(list) > maxFailedInstances {
		list = list[len(list)-maxFailedInstances:]
	}
	s.failed[id] = list
}

// podPort is the pod's port0: Waiter's waiter/service-port annotation,
// else the container's first port.
func podPort(p *corev1.Pod) int {
	if n, err := strconv.Atoi(p.Annotations[annotServicePort]); err == nil {
		return n
	}
	if len(p.Spec.Containers) > 0 && len(p.Spec.Containers[0].Ports) > 0 {
		return int(p.Spec.Containers[0].Ports[0].ContainerPort)
	}
	return 0
}

// healthURL is where the router checks a pod's health: its readiness
// probe, aimed at the pod's port0 plus the probe's offset from the
// container's first port.
func healthURL(p *corev1.Pod) string {
	if len(p.Spec.Containers) == 0 || p.Status.PodIP == "" {
		return ""
	}
	c := p.Spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || len(c.Ports) == 0 {
		return ""
	}
	g := c.ReadinessProbe.HTTPGet
	port := podPort(p) + g.Port.IntValue() - int(c.Ports[0].ContainerPort)
	scheme := "http"
	if g.Scheme == corev1.URISchemeHTTPS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(p.Status.PodIP, strconv.Itoa(port)) + g.Path
}

// probeJob is one instance to health-check: obs[service].Instances[index].
type probeJob struct {
	service string
	index   int
	url     string
}

// runProbes checks the instances concurrently (at most maxProbes at
// once) and applies the results: a 2xx makes an instance healthy (as
// Waiter's scheduler syncer does), and the facts learnt are kept for
// when it fails.
func (s *Scheduler) runProbes(ctx context.Context, obs map[string]*engine.Observation, jobs []probeJob) {
	urls := make([]string, len(jobs))
	for i, j := range jobs {
		urls[i] = j.url
	}
	results := s.probe.CheckAll(ctx, urls, maxProbes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, j := range jobs {
		in := &obs[j.service].Instances[j.index]
		r := results[i]
		in.Healthy = r.Healthy()
		in.HealthCheckStatus = r.Status
		in.Flags |= r.Flags
		f := s.facts[in.ID]
		f.flags |= r.Flags
		f.lastCheck = r.Status
		s.facts[in.ID] = f
	}
}
