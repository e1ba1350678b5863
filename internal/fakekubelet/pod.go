package fakekubelet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/waiter-go/waiter/internal/localproc"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// annotServicePort is Waiter's annotation for a pod's port0, which its
// Kubernetes scheduler reads before the container port.
const annotServicePort = "waiter/service-port"

// worker runs one pod: a single goroutine owns its state.
type worker struct {
	k       *Kubelet
	uid     types.UID
	notify  chan struct{}
	deleted chan struct{}
	once    sync.Once
	mu      sync.Mutex
	latest  *corev1.Pod

	pod   *corev1.Pod // latest seen
	ports map[int32]int
	dir   string

	// container state
	cmd        *exec.Cmd
	exited     chan exitInfo
	startedAt  metav1.Time
	ready      bool
	restarts   int32
	last       *corev1.ContainerStateTerminated
	waiting    *corev1.ContainerStateWaiting
	oom        bool
	liveFails  int32
	readyFails int32
	terminated *corev1.ContainerStateTerminated // while stopping
}

type exitInfo struct {
	code   int
	signal int
	at     time.Time
}

func newWorker(k *Kubelet, p *corev1.Pod) *worker {
	return &worker{k: k, uid: p.UID, notify: make(chan struct{}, 1), deleted: make(chan struct{}), pod: p,
		dir: filepath.Join(k.cfg.WorkDir, p.Namespace+"_"+p.Name+"_"+string(p.UID))}
}

// offer hands the worker the pod's latest version.
func (w *worker) offer(p *corev1.Pod) {
	w.mu.Lock()
	w.latest = p
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default: // a wake-up is pending; it reads the latest version
	}
}

// gone says the pod was removed from the API server.
func (w *worker) gone() { w.once.Do(func() { close(w.deleted) }) }

func (w *worker) container() *corev1.Container {
	if len(w.pod.Spec.Containers) == 0 {
		return nil
	}
	return &w.pod.Spec.Containers[0]
}

// run is the pod's life: start the container, probe it, restart it with
// back-off, stop it on deletion.
func (w *worker) run() {
	defer w.k.wg.Done()
	defer w.k.forget(w.uid)
	c := w.container()
	if c == nil {
		return
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		w.k.log.Error("fakekubelet: pod folder", "err", err)
		return
	}
	if err := w.mapPorts(); err != nil {
		w.k.log.Error("fakekubelet: ports", "pod", w.pod.Name, "err", err)
		return
	}
	defer w.releasePorts()

	var restartAt <-chan time.Time
	pullFailed := w.k.cfg.Unpullable(c.Image)
	if pullFailed {
		w.waiting = &corev1.ContainerStateWaiting{Reason: "ErrImagePull",
			Message: fmt.Sprintf("failed to pull and unpack image %q: not found", c.Image)}
		w.sync()
		w.waiting = &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: fmt.Sprintf("Back-off pulling image %q", c.Image)}
	} else {
		w.start()
	}
	w.sync()

	tick := time.NewTicker(w.tickEvery())
	defer tick.Stop()
	retry := time.NewTicker(500 * time.Millisecond)
	defer retry.Stop()
	lastReady, lastLive, lastMem := time.Now(), time.Now(), time.Now()
	dirty := false
	for {
		select {
		case <-w.k.stop:
			w.kill()
			return
		case <-w.deleted:
			w.kill()
			return
		case <-w.notify:
			w.mu.Lock()
			p := w.latest
			w.mu.Unlock()
			w.pod = p
			if p.DeletionTimestamp != nil {
				w.terminate()
				return
			}
			continue
		case e := <-w.exited:
			w.exitedWith(e)
			d := w.backoff()
			w.waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", d, c.Name, w.pod.Name)}
			restartAt = time.After(d)
		case <-restartAt:
			restartAt = nil
			w.start()
		case <-retry.C:
			if !dirty {
				continue
			}
		case now := <-tick.C:
			changed := false
			if w.cmd != nil {
				if c.ReadinessProbe != nil && w.due(c.ReadinessProbe, now, lastReady) {
					lastReady = now
					changed = w.probeReadiness(c.ReadinessProbe) || changed
				}
				if c.LivenessProbe != nil && w.due(c.LivenessProbe, now, lastLive) {
					lastLive = now
					w.probeLiveness(c.LivenessProbe)
				}
				if now.Sub(lastMem) >= w.k.cfg.MemoryCheckInterval {
					lastMem = now
					w.checkMemory()
				}
			}
			if !changed {
				continue
			}
		}
		dirty = !w.sync()
	}
}

func (w *worker) tickEvery() time.Duration {
	return min(w.k.cfg.MemoryCheckInterval, 100*time.Millisecond)
}

// due: the probe's initial delay has passed since the container started
// and a period since its last run.
func (w *worker) due(p *corev1.Probe, now, last time.Time) bool {
	if now.Sub(w.startedAt.Time) < time.Duration(p.InitialDelaySeconds)*time.Second {
		return false
	}
	period := time.Duration(max(p.PeriodSeconds, 1)) * time.Second
	return now.Sub(last) >= period || last.Before(w.startedAt.Time)
}

// mapPorts gives each container port a free local port, and announces
// port0 in waiter/service-port.
func (w *worker) mapPorts() error {
	c := w.container()
	w.ports = map[int32]int{}
	if len(c.Ports) == 0 {
		return nil
	}
	w.k.portsMu.Lock()
	got, err := w.k.ports.Reserve(len(c.Ports))
	w.k.portsMu.Unlock()
	if err != nil {
		return err
	}
	for i, p := range c.Ports {
		w.ports[p.ContainerPort] = got[i]
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{
		annotServicePort: strconv.Itoa(got[0])}}})
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = w.k.cfg.Client.CoreV1().Pods(w.pod.Namespace).Patch(ctx, w.pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		cancel()
		if err == nil || apierrors.IsNotFound(err) || attempt == 20 {
			return err
		}
		select {
		case <-w.k.stop:
			return errors.New("stopped")
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (w *worker) releasePorts() {
	ps := make([]int, 0, len(w.ports))
	for _, p := range w.ports {
		ps = append(ps, p)
	}
	w.k.portsMu.Lock()
	w.k.ports.Release(ps)
	w.k.portsMu.Unlock()
}

// hostPort is where the container's port p listens here.
func (w *worker) hostPort(p int32) int {
	if hp, ok := w.ports[p]; ok {
		return hp
	}
	c := w.container()
	if len(c.Ports) > 0 {
		if base, ok := w.ports[c.Ports[0].ContainerPort]; ok {
			return base + int(p-c.Ports[0].ContainerPort)
		}
	}
	return int(p)
}

// env is the container's environment with container ports in PORT
// variables rewritten to the mapped ones.
func (w *worker) env() []string {
	c := w.container()
	out := make([]string, 0, len(c.Env)+1)
	for _, e := range c.Env {
		v := e.Value
		if strings.HasPrefix(e.Name, "PORT") {
			if n, err := strconv.Atoi(v); err == nil {
				v = strconv.Itoa(w.hostPort(int32(n)))
			}
		}
		out = append(out, e.Name+"="+v)
	}
	// A container's hostname is its pod's name.
	if !hasEnv(c.Env, "HOSTNAME") {
		out = append(out, "HOSTNAME="+w.pod.Name)
	}
	if !hasEnv(c.Env, "PATH") {
		out = append(out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	return out
}

func hasEnv(env []corev1.EnvVar, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// start runs the container's command as a new process group.
func (w *worker) start() {
	c := w.container()
	argv := append(append([]string{}, c.Command...), c.Args...)
	spec := localproc.Spec{Argv: argv, Env: w.env(), Dir: filepath.Join(w.dir, "r"+strconv.Itoa(int(w.restarts))), DirMode: 0o755}
	if uid, gid, ok := w.credential(); ok {
		spec.Credential = &syscall.Credential{Uid: uid, Gid: gid}
		spec.User = strconv.Itoa(int(uid))
	}
	w.ready, w.liveFails, w.readyFails, w.oom = false, 0, 0, false
	w.startedAt = metav1.Now()
	cmd, err := localproc.Start(spec)
	ch := make(chan exitInfo, 1)
	w.exited = ch
	if err != nil {
		// What a runtime reports for a missing program: exit 127.
		w.k.log.Debug("fakekubelet: start", "pod", w.pod.Name, "err", err)
		w.cmd = nil
		ch <- exitInfo{code: 127, at: time.Now()}
		return
	}
	w.cmd, w.waiting = cmd, nil
	w.k.log.Info("fakekubelet: started", "pod", w.pod.Name, "pid", cmd.Process.Pid, "ports", w.ports, "restarts", w.restarts)
	go func() {
		err := cmd.Wait()
		e := exitInfo{at: time.Now()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				e.signal = int(ws.Signal())
				e.code = 128 + e.signal
			} else {
				e.code = ee.ExitCode()
			}
		}
		// The rest of the group goes with its leader, as a container's
		// processes go with it.
		_ = procgroup.Signal(cmd.Process.Pid, syscall.SIGKILL)
		ch <- e
	}()
}

// credential is the securityContext's user, when this process may switch.
func (w *worker) credential() (uid, gid uint32, ok bool) {
	if os.Geteuid() != 0 {
		return 0, 0, false
	}
	var u, g *int64
	if sc := w.pod.Spec.SecurityContext; sc != nil {
		u, g = sc.RunAsUser, sc.RunAsGroup
	}
	if sc := w.container().SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			u = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			g = sc.RunAsGroup
		}
	}
	if u == nil {
		return 0, 0, false
	}
	if g == nil {
		g = u
	}
	return uint32(*u), uint32(*g), true
}

// exitedWith records a container's end and counts the restart.
func (w *worker) exitedWith(e exitInfo) {
	w.k.log.Info("fakekubelet: container exited", "pod", w.pod.Name, "code", e.code, "signal", e.signal, "oom", w.oom)
	reason := "Error"
	switch {
	case w.oom:
		reason = "OOMKilled"
	case e.code == 0:
		reason = "Completed"
	}
	w.last = &corev1.ContainerStateTerminated{ExitCode: int32(e.code), Signal: int32(e.signal), Reason: reason,
		StartedAt: w.startedAt, FinishedAt: metav1.NewTime(e.at)}
	w.cmd, w.ready = nil, false
	w.restarts++
}

// backoff is the kubelet's crash-loop delay before the next start.
func (w *worker) backoff() time.Duration {
	d := w.k.cfg.RestartBackoff
	for i := int32(1); i < w.restarts && d < w.k.cfg.MaxRestartBackoff; i++ {
		d *= 2
	}
	return min(d, w.k.cfg.MaxRestartBackoff)
}

// probe runs one httpGet probe; true on 2xx or 3xx, as the kubelet.
func (w *worker) probe(p *corev1.Probe) bool {
	g := p.HTTPGet
	if g == nil {
		return true // only httpGet probes are run; others pass
	}
	port := g.Port.IntValue()
	if port == 0 {
		for _, cp := range w.container().Ports {
			if cp.Name == g.Port.StrVal {
				port = int(cp.ContainerPort)
			}
		}
	}
	scheme := "http"
	if g.Scheme == corev1.URISchemeHTTPS {
		scheme = "https"
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(w.hostPort(int32(port)))) + g.Path
	timeout := time.Duration(max(p.TimeoutSeconds, 1)) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	for _, h := range g.HTTPHeaders {
		req.Header.Set(h.Name, h.Value)
	}
	req.Header.Set("User-Agent", "kube-probe/fake")
	resp, err := probeClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}

var probeClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}

// probeReadiness updates readiness; true when it changed.
func (w *worker) probeReadiness(p *corev1.Probe) bool {
	ok := w.probe(p)
	if ok {
		w.readyFails = 0
		if !w.ready {
			w.ready = true
			return true
		}
		return false
	}
	w.readyFails++
	if w.ready && w.readyFails >= max(p.FailureThreshold, 1) {
		w.ready = false
		return true
	}
	return false
}

// probeLiveness kills the container after FailureThreshold failures in a
// row (SIGTERM, then SIGKILL after the grace period).
func (w *worker) probeLiveness(p *corev1.Probe) {
	if w.probe(p) {
		w.liveFails = 0
		return
	}
	w.liveFails++
	if w.liveFails >= max(p.FailureThreshold, 1) && w.cmd != nil {
		w.k.log.Info("fakekubelet: liveness probe failed", "pod", w.pod.Name, "failures", w.liveFails)
		w.liveFails = 0
		pgid := w.cmd.Process.Pid
		_ = procgroup.Signal(pgid, syscall.SIGTERM)
		grace := w.grace(nil)
		go func() {
			time.Sleep(grace) // the grace period itself, not a synchronisation
			_ = procgroup.Signal(pgid, syscall.SIGKILL)
		}()
	}
}

// grace is the pod's termination grace period, or the deletion's.
func (w *worker) grace(p *corev1.Pod) time.Duration {
	if p == nil {
		p = w.pod
	}
	if p.DeletionGracePeriodSeconds != nil {
		return time.Duration(*p.DeletionGracePeriodSeconds) * time.Second
	}
	if p.Spec.TerminationGracePeriodSeconds != nil {
		return time.Duration(*p.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	return 30 * time.Second
}

// checkMemory kills the container when its process group holds more
// resident memory than its limit.
func (w *worker) checkMemory() {
	limit := w.container().Resources.Limits.Memory().Value()
	if limit <= 0 || w.cmd == nil {
		return
	}
	if groupRSS(w.cmd.Process.Pid) > limit {
		w.oom = true
		_ = procgroup.Signal(w.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// kill stops the container at once (the kubelet going away, or a pod
// deleted with no grace).
func (w *worker) kill() {
	if w.cmd == nil {
		return
	}
	pgid := w.cmd.Process.Pid
	_ = procgroup.Signal(pgid, syscall.SIGKILL)
	<-w.exited
	procgroup.WaitGone(pgid, nil, 5*time.Second)
	w.cmd = nil
}

// terminate is a graceful deletion: SIGTERM, the grace period, SIGKILL,
// the final status, then the pod's removal from the API server.
func (w *worker) terminate() {
	w.k.log.Info("fakekubelet: terminating", "pod", w.pod.Name, "grace", w.grace(w.pod))
	if w.cmd != nil {
		pgid := w.cmd.Process.Pid
		_ = procgroup.Signal(pgid, syscall.SIGTERM)
		t := time.NewTimer(w.grace(w.pod))
		var e exitInfo
		select {
		case e = <-w.exited:
		case <-t.C:
			_ = procgroup.Signal(pgid, syscall.SIGKILL)
			e = <-w.exited
		case <-w.k.stop:
			_ = procgroup.Signal(pgid, syscall.SIGKILL)
			e = <-w.exited
		}
		t.Stop()
		procgroup.WaitGone(pgid, nil, 5*time.Second)
		w.terminated = &corev1.ContainerStateTerminated{ExitCode: int32(e.code), Signal: int32(e.signal),
			Reason: map[bool]string{true: "Completed", false: "Error"}[e.code == 0], StartedAt: w.startedAt, FinishedAt: metav1.NewTime(e.at)}
		w.cmd, w.ready = nil, false
	}
	w.sync()
	zero := int64(0)
	for attempt := 0; attempt < 20; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := w.k.cfg.Client.CoreV1().Pods(w.pod.Namespace).Delete(ctx, w.pod.Name,
			metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &w.uid}})
		cancel()
		if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return
		}
		select {
		case <-w.k.stop:
			return
		case <-w.deleted:
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}
