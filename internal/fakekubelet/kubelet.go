package fakekubelet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/waiter-go/waiter/internal/localproc"
)

// Config configures a Kubelet; zero fields take the defaults named.
type Config struct {
	// Client talks to the API server (required).
	Client kubernetes.Interface
	// NodeName (default "fake-node").
	NodeName string
	// WorkDir holds one folder per pod run (required, must exist).
	WorkDir string
	// PortRange maps container ports to these local ports (inclusive;
	// default 32100-32767, below Linux's ephemeral ports).
	PortRange [2]int
	// CPU and MemoryMiB are the node's capacity (default 8 and 16384);
	// MaxPods its pod limit (default 110).
	CPU       float64
	MemoryMiB int64
	MaxPods   int
	// LeaseInterval renews the node's lease (default 10 s).
	LeaseInterval time.Duration
	// RestartBackoff and MaxRestartBackoff: the kubelet's crash-loop
	// back-off (default 10 s doubling to 5 min; tests make it short).
	RestartBackoff, MaxRestartBackoff time.Duration
	// MemoryCheckInterval: how often the memory limit is checked
	// (default 100 ms).
	MemoryCheckInterval time.Duration
	// Unpullable reports images that cannot be pulled; nil pulls all.
	Unpullable func(image string) bool
	// Logger; nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Client == nil || c.WorkDir == "" {
		return c, errors.New("fakekubelet: Client and WorkDir are required")
	}
	if c.NodeName == "" {
		c.NodeName = "fake-node"
	}
	if c.PortRange == [2]int{} {
		c.PortRange = [2]int{32100, 32767}
	}
	if c.CPU == 0 {
		c.CPU = 8
	}
	if c.MemoryMiB == 0 {
		c.MemoryMiB = 16384
	}
	if c.MaxPods == 0 {
		c.MaxPods = 110
	}
	if c.LeaseInterval == 0 {
		c.LeaseInterval = 10 * time.Second
	}
	if c.RestartBackoff == 0 {
		c.RestartBackoff = 10 * time.Second
	}
	if c.MaxRestartBackoff == 0 {
		c.MaxRestartBackoff = 5 * time.Minute
	}
	if c.MemoryCheckInterval == 0 {
		c.MemoryCheckInterval = 100 * time.Millisecond
	}
	if c.Unpullable == nil {
		c.Unpullable = func(string) bool { return false }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// host is where every pod runs and listens.
const host = "127.0.0.1"

// Kubelet is a running fake kubelet.
type Kubelet struct {
	cfg Config
	log *slog.Logger
	// portsMu guards ports, which every pod's worker goroutine reserves
	// from and releases to (a PortPool is not safe for concurrent use).
	portsMu sync.Mutex
	ports   *localproc.PortPool
	stop    chan struct{}
	wg      sync.WaitGroup

	mine, unbound cache.SharedIndexInformer

	mu      sync.Mutex
	workers map[types.UID]*worker
	closed  bool
	kick    chan struct{} // wakes the scheduling loop
}

// Start registers the node and starts running the pods bound to it.
func Start(ctx context.Context, cfg Config) (*Kubelet, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(cfg.WorkDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("fakekubelet: work dir %s: not a folder (%v)", cfg.WorkDir, err)
	}
	k := &Kubelet{cfg: cfg, log: cfg.Logger, stop: make(chan struct{}), workers: map[types.UID]*worker{},
		kick:  make(chan struct{}, 1),
		ports: localproc.NewPortPool(cfg.PortRange[0], cfg.PortRange[1], 2*time.Second, host, time.Now)}
	if err := k.register(ctx); err != nil {
		return nil, err
	}
	mine := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", cfg.NodeName).String()
	}))
	unbound := informers.NewSharedInformerFactoryWithOptions(cfg.Client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", "").String()
	}))
	k.mine = mine.Core().V1().Pods().Informer()
	k.unbound = unbound.Core().V1().Pods().Informer()
	_, _ = k.mine.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { k.podChanged(o) },
		UpdateFunc: func(_, o any) { k.podChanged(o) },
		DeleteFunc: func(o any) { k.podGone(o) },
	})
	_, _ = k.unbound.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { k.wake() },
		UpdateFunc: func(any, any) { k.wake() },
	})
	mine.Start(k.stop)
	unbound.Start(k.stop)
	if !cache.WaitForCacheSync(ctx.Done(), k.mine.HasSynced, k.unbound.HasSynced) {
		close(k.stop)
		return nil, fmt.Errorf("fakekubelet: pod watches did not sync: %w", ctx.Err())
	}
	k.wg.Add(2)
	go k.renewLease()
	go k.scheduleLoop()
	return k, nil
}

// Close stops every pod's processes (SIGKILL) and the watches. Pods stay
// in the API server, as when a node goes away.
func (k *Kubelet) Close(ctx context.Context) error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	k.closed = true
	close(k.stop)
	k.mu.Unlock()
	done := make(chan struct{})
	go func() {
		k.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fakekubelet: close: %w", ctx.Err())
	}
}

func (k *Kubelet) wake() {
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

// register creates (or refreshes) the Node, Ready with its capacity.
func (k *Kubelet) register(ctx context.Context) error {
	nodes := k.cfg.Client.CoreV1().Nodes()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: k.cfg.NodeName,
		Labels: map[string]string{"kubernetes.io/hostname": k.cfg.NodeName, "kubernetes.io/os": "linux"}}}
	created, err := nodes.Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = nodes.Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
	}
	if err != nil {
		return fmt.Errorf("fakekubelet: register node: %w", err)
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(k.cfg.CPU*1000), resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(k.cfg.MemoryMiB<<20, resource.BinarySI),
		corev1.ResourcePods:   *resource.NewQuantity(int64(k.cfg.MaxPods), resource.DecimalSI),
	}
	created.Status = corev1.NodeStatus{
		Capacity: capacity, Allocatable: capacity,
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			Message: "fake kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}},
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: host}, {Type: corev1.NodeHostName, Address: k.cfg.NodeName}},
		NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "fake", OperatingSystem: "linux", Architecture: "amd64"},
	}
	if _, err := nodes.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("fakekubelet: node status: %w", err)
	}
	return nil
}

// renewLease keeps the node's Lease fresh, as the kubelet's heartbeat.
func (k *Kubelet) renewLease() {
	defer k.wg.Done()
	leases := k.cfg.Client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	secs := int32(max(4*k.cfg.LeaseInterval/time.Second, 1))
	holder := k.cfg.NodeName
	t := time.NewTicker(k.cfg.LeaseInterval)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		now := metav1.NewMicroTime(time.Now())
		l, err := leases.Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: k.cfg.NodeName},
				Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, RenewTime: &now}}, metav1.CreateOptions{})
		case err == nil:
			l.Spec.RenewTime, l.Spec.HolderIdentity, l.Spec.LeaseDurationSeconds = &now, &holder, &secs
			_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
		}
		cancel()
		if err != nil {
			k.log.Debug("fakekubelet: lease", "err", err)
		}
		select {
		case <-k.stop:
			return
		case <-t.C:
		}
	}
}

// podChanged hands a pod of this node to its worker, starting one.
func (k *Kubelet) podChanged(o any) {
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return
	}
	w := k.workers[p.UID]
	if w == nil {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			return
		}
		w = newWorker(k, p)
		k.workers[p.UID] = w
		k.wg.Add(1)
		go w.run()
	}
	w.offer(p)
}

// podGone stops a pod removed from the API server without the grace
// period (a forced delete).
func (k *Kubelet) podGone(o any) {
	if d, ok := o.(cache.DeletedFinalStateUnknown); ok {
		o = d.Obj
	}
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	k.mu.Lock()
	w := k.workers[p.UID]
	k.mu.Unlock()
	if w != nil {
		w.gone()
	}
}

func (k *Kubelet) forget(uid types.UID) {
	k.mu.Lock()
	delete(k.workers, uid)
	k.mu.Unlock()
	k.wake() // resources freed: unschedulable pods may fit now
}
