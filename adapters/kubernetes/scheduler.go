package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/fanout"
	"github.com/waiter-go/waiter/internal/healthcheck"
)

var _ engine.Scheduler = (*Scheduler)(nil)

// byService indexes ReplicaSets and pods by their waiter/service-id.
const byService = "service"

// Scheduler runs services as ReplicaSets. It is safe for concurrent use.
type Scheduler struct {
	cfg          Config
	log          *slog.Logger
	client       kubernetes.Interface
	clusterLabel string
	probe        *healthcheck.Prober

	// replicaSets and pods are the watches (watch.go) Observe reads.
	replicaSets, pods *watched
	synced            chan struct{}
	stop              chan struct{}
	done              sync.WaitGroup

	mu     sync.Mutex
	closed bool
	// failed holds each service's recent failures, newest last (<= 10).
	failed map[string][]engine.ObservedInstance
	// facts remembers, per instance, what the router's own health checks
	// learnt and whether the pod was ever ready, to flag it once it fails.
	facts map[string]fact
	subs  fanout.Fanout
}

type fact struct {
	flags     engine.InstanceFlags
	wasReady  bool
	lastCheck int
}

// New connects to the API server cfg names and starts watching
// Waiter's ReplicaSets and pods (labelled waiter/cluster=Cluster). The
// watches sync in the background: Observe reports ErrUnavailable until
// they have, and keeps answering from the last state it saw while the
// API server is away.
func New(cfg Config) (*Scheduler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rc, err := cfg.restConfig()
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: client: %w", err)
	}
	return newWithClient(cfg, cs), nil
}

func newWithClient(cfg Config, cs kubernetes.Interface) *Scheduler {
	s := &Scheduler{cfg: cfg, log: cfg.Logger, client: cs, clusterLabel: labelValue(cfg.Cluster),
		probe:  healthcheck.New(max(cfg.ProbeTimeout, 0), "waiter-kubernetes-adapter"),
		synced: make(chan struct{}), stop: make(chan struct{}),
		failed: map[string][]engine.ObservedInstance{}, facts: map[string]fact{}}
	if s.clusterLabel == "" {
		s.clusterLabel = "waiter"
	}
	ns := cfg.Namespace
	if cfg.WatchAllNamespaces {
		ns = metav1.NamespaceAll
	}
	selector := labelCluster + "=" + s.clusterLabel
	index := cache.Indexers{byService: func(obj any) ([]string, error) {
		if m, ok := obj.(metav1.Object); ok {
			if id := m.GetAnnotations()[annotServiceID]; id != "" {
				return []string{id}, nil
			}
		}
		return nil, nil
	}}
	rsc, podc := cs.AppsV1().ReplicaSets(ns), cs.CoreV1().Pods(ns)
	s.replicaSets = newWatched("waiter replicasets", listWatch(cs, selector, rsc.List, rsc.Watch), &appsv1.ReplicaSet{}, index,
		func(obj any, _ bool) { s.notifyObject(obj) }, nil)
	// Failures are recorded as the watch delivers them, so a container
	// that restarts twice between two Observe calls leaves two.
	s.pods = newWatched("waiter pods", listWatch(cs, selector, podc.List, podc.Watch), &corev1.Pod{}, index,
		func(obj any, gone bool) {
			if !gone {
				s.notePod(obj)
			}
			s.notifyObject(obj)
		}, nil)
	ctx := wait.ContextForChannel(s.stop) // the watches end with the scheduler
	for _, w := range []*watched{s.replicaSets, s.pods} {
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			w.run(ctx)
		}()
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		if cache.WaitForCacheSync(s.stop, s.replicaSets.hasSynced, s.pods.hasSynced) {
			close(s.synced)
		}
	}()
	return s
}

// Close is Shutdown without a deadline.
func (s *Scheduler) Close() error { return s.Shutdown(context.Background()) }

// Shutdown stops the watches. ReplicaSets and pods keep running: they
// outlive the router, as in Waiter.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.subs.Close()
	close(s.stop)
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.done.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.probe.Close()
		return nil
	case <-ctx.Done():
		return fmt.Errorf("kubernetes: shutdown: %w", ctx.Err())
	}
}

// ready fails unless the scheduler is open and its watches have synced;
// a call made while they sync (right after New) waits for them, within
// ctx.
func (s *Scheduler) ready(ctx context.Context, call string) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("kubernetes: %s: %w", call, ErrClosed)
	}
	select {
	case <-s.synced:
		return nil
	case <-s.stop:
		return fmt.Errorf("kubernetes: %s: %w", call, ErrClosed)
	case <-ctx.Done():
		return fmt.Errorf("kubernetes: %s: %w: watches have not synced yet: %w", call, ErrUnavailable, ctx.Err())
	}
}

// replicaSetOf is the cached ReplicaSet of a service, or nil: of two not
// being deleted (someone else made one), the older, and of two made in
// the same second (creation times have seconds only), the first by name,
// so that every observation reads the same one whatever order the cache
// lists them in.
func (s *Scheduler) replicaSetOf(serviceID string) *appsv1.ReplicaSet {
	objs, _ := s.replicaSets.ByIndex(byService, serviceID)
	var best *appsv1.ReplicaSet
	for _, o := range objs {
		rs := o.(*appsv1.ReplicaSet)
		if rs.DeletionTimestamp == nil && (best == nil || olderReplicaSet(rs, best)) {
			best = rs
		}
	}
	return best
}

// olderReplicaSet orders ReplicaSets by creation, then by name.
func olderReplicaSet(a, b *appsv1.ReplicaSet) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Name < b.Name
}

// podsOf are the cached pods of a service.
func (s *Scheduler) podsOf(serviceID string) []*corev1.Pod {
	objs, _ := s.pods.ByIndex(byService, serviceID)
	out := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*corev1.Pod))
	}
	return out
}
