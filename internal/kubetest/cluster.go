package kubetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/waiter-go/waiter/internal/fakekubelet"
	"github.com/waiter-go/waiter/internal/freeport"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// Options tune the cluster; zero fields take test-friendly defaults.
type Options struct {
	// Kubelet configures the fake kubelet (Client and WorkDir are set
	// here); RestartBackoff defaults to 200 ms, LeaseInterval to 2 s.
	Kubelet fakekubelet.Config
	// Namespaces are created with their default ServiceAccount.
	Namespaces []string
	// Logs, when set, receives the servers' output; otherwise it goes to
	// files in the cluster's folder.
	Logs *os.File
	// ControllerPodWatchLag, when positive, delays what
	// kube-controller-manager's pod watches deliver by this much (a proxy
	// in between): its pod cache lags its ReplicaSet cache, as it can
	// under load.
	ControllerPodWatchLag time.Duration
}

// Cluster is a running control plane with one fake node.
type Cluster struct {
	// REST reaches the API server as an administrator.
	REST *rest.Config
	// Client is a clientset on REST.
	Client kubernetes.Interface
	// Kubeconfig is a kubeconfig file for REST (for `waiter serve
	// --kubeconfig`).
	Kubeconfig string
	// Kubelet is the fake node.
	Kubelet *fakekubelet.Kubelet
	// Timings of the start: etcd, API server ready, controller manager
	// and node up.
	Timings map[string]time.Duration

	dir     string
	bins    string
	etcdURL string
	apiArgs []string
	kcmArgs []string
	logs    *os.File

	mu    sync.Mutex
	procs map[string]*exec.Cmd
	waits map[string]chan struct{}
	lag   *lagProxy
}

// Start starts a cluster for t and stops it when t ends.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "kubetest-")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(dir, opts)
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("kubetest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("kubetest: close: %v", err)
		}
	})
	return c
}

// Binaries is the folder holding etcd, kube-apiserver and
// kube-controller-manager.
func Binaries() (string, error) {
	if d := os.Getenv("KUBE_BIN_DIR"); d != "" {
		return d, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository")
	}
	script := filepath.Join(filepath.Dir(file), "..", "..", "test", "kube", "build.sh")
	out, err := exec.Command("bash", script, "--path").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("kubernetes binaries are not built: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("%s --path: %w", script, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// New starts a cluster whose state lives in dir (removed by Close).
func New(dir string, opts Options) (_ *Cluster, err error) {
	bins, err := Binaries()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bins: bins, logs: opts.Logs, procs: map[string]*exec.Cmd{}, waits: map[string]chan struct{}{},
		Timings: map[string]time.Duration{}}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	t0 := time.Now()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	token, err := c.secrets()
	if err != nil {
		return nil, err
	}
	c.etcdURL = "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	if err := c.spawn("etcd", filepath.Join(bins, "etcd"), "--name=default", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+c.etcdURL, "--advertise-client-urls="+c.etcdURL,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer, "--initial-cluster=default="+peer,
		"--log-level=error", "--quota-backend-bytes=1073741824"); err != nil {
		return nil, err
	}
	if err := c.await("etcd", 30*time.Second, func() bool { return httpOK(c.etcdURL+"/health", "") }); err != nil {
		return nil, err
	}
	c.Timings["etcd"] = time.Since(t0)

	server := "https://127.0.0.1:" + strconv.Itoa(ports[2])
	c.apiArgs = []string{"--etcd-servers=" + c.etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]), "--cert-dir=" + filepath.Join(dir, "certs"),
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"), "--anonymous-auth=false", "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file=" + filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(dir, "sa.key"), "--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.0.0.0/24", "--allow-privileged=true", "--enable-priority-and-fairness=false",
		"--profiling=false", "--enable-logs-handler=false", "--v=0"}
	if err := c.StartAPIServer(); err != nil {
		return nil, err
	}
	c.Timings["apiserver"] = time.Since(t0)

	c.REST = &rest.Config{Host: server, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS: 500, Burst: 1000, Timeout: 10 * time.Second}
	if c.Client, err = kubernetes.NewForConfig(c.REST); err != nil {
		return nil, err
	}
	c.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, []byte(kubeconfig(server, token)), 0o600); err != nil {
		return nil, err
	}
	kcmConfig := c.Kubeconfig
	if opts.ControllerPodWatchLag > 0 {
		if c.lag, err = startLagProxy(server, token, opts.ControllerPodWatchLag); err != nil {
			return nil, err
		}
		kcmConfig = filepath.Join(dir, "kcm-kubeconfig")
		if err := os.WriteFile(kcmConfig, []byte(kubeconfig(c.lag.url, "")), 0o600); err != nil {
			return nil, err
		}
	}
	c.kcmArgs = []string{"--kubeconfig=" + kcmConfig, "--controllers=replicaset-controller,serviceaccount-controller",
		"--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0", "--concurrent-replicaset-syncs=5",
		"--profiling=false", "--v=0"}
	if err := c.spawn("kube-controller-manager", filepath.Join(bins, "kube-controller-manager"), c.kcmArgs...); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, ns := range append([]string{"waiter"}, opts.Namespaces...) {
		if err := c.Namespace(ctx, ns); err != nil {
			return nil, err
		}
	}
	kc := opts.Kubelet
	kc.Client = c.Client
	if kc.WorkDir == "" {
		kc.WorkDir = filepath.Join(dir, "pods")
		if err := os.Mkdir(kc.WorkDir, 0o755); err != nil {
			return nil, err
		}
	}
	if kc.RestartBackoff == 0 {
		kc.RestartBackoff = 200 * time.Millisecond
	}
	if kc.MaxRestartBackoff == 0 {
		kc.MaxRestartBackoff = 2 * time.Second
	}
	if kc.LeaseInterval == 0 {
		kc.LeaseInterval = 2 * time.Second
	}
	if kc.Logger == nil {
		kc.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Kubelet, err = fakekubelet.Start(ctx, kc); err != nil {
		return nil, err
	}
	c.Timings["ready"] = time.Since(t0)
	return c, nil
}

// Namespace creates ns (if missing) and its default ServiceAccount,
// which the ServiceAccount admission plugin wants before any pod.
func (c *Cluster) Namespace(ctx context.Context, ns string) error {
	_, err := c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("kubetest: namespace %s: %w", ns, err)
	}
	_, err = c.Client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("kubetest: default service account of %s: %w", ns, err)
	}
	return nil
}

// StartAPIServer starts kube-apiserver (again, after StopAPIServer) and
// waits until /readyz answers.
func (c *Cluster) StartAPIServer() error {
	if err := c.spawn("kube-apiserver", filepath.Join(c.bins, "kube-apiserver"), c.apiArgs...); err != nil {
		return err
	}
	token, _ := os.ReadFile(filepath.Join(c.dir, "token"))
	url := "https://127.0.0.1:" + strings.TrimPrefix(c.apiArgs[3], "--secure-port=") + "/readyz"
	return c.await("kube-apiserver", 2*time.Minute, func() bool { return httpOK(url, string(token)) })
}

// StopAPIServer stops kube-apiserver (SIGTERM, then SIGKILL after 10 s)
// and waits for it: etcd, the controllers and the node stay.
func (c *Cluster) StopAPIServer() error { return c.stop("kube-apiserver", 10*time.Second) }

// StopControllerManager stops kube-controller-manager (SIGTERM, then
// SIGKILL after 10 s): no ReplicaSet controller acts until
// StartControllerManager.
func (c *Cluster) StopControllerManager() error {
	return c.stop("kube-controller-manager", 10*time.Second)
}

// StartControllerManager starts kube-controller-manager again.
func (c *Cluster) StartControllerManager() error {
	return c.spawn("kube-controller-manager", filepath.Join(c.bins, "kube-controller-manager"), c.kcmArgs...)
}

// Close stops the node and every server, and removes the folder.
func (c *Cluster) Close() error {
	var errs []error
	if c.Kubelet != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, c.Kubelet.Close(ctx))
		cancel()
	}
	for _, name := range []string{"kube-controller-manager", "kube-apiserver", "etcd"} {
		errs = append(errs, c.stop(name, 10*time.Second))
	}
	if c.lag != nil {
		errs = append(errs, c.lag.Close())
	}
	errs = append(errs, os.RemoveAll(c.dir))
	return errors.Join(errs...)
}

// spawn starts a server with its output in <dir>/<name>.log.
func (c *Cluster) spawn(name, bin string, args ...string) error {
	out := c.logs
	if out == nil {
		f, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procgroup.OwnGroupDyingWithUs(syscall.SIGKILL)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("kubetest: start %s: %w", name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	c.mu.Lock()
	c.procs[name], c.waits[name] = cmd, done
	c.mu.Unlock()
	return nil
}

// await polls ready until it holds, the process exits, or timeout.
func (c *Cluster) await(name string, timeout time.Duration, ready func() bool) error {
	c.mu.Lock()
	done := c.waits[name]
	c.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for !ready() {
		select {
		case <-done:
			return fmt.Errorf("kubetest: %s exited while starting; see %s", name, c.logPath(name))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kubetest: %s not ready after %v; see %s", name, timeout, c.logPath(name))
		}
	}
	return nil
}

func (c *Cluster) logPath(name string) string { return filepath.Join(c.dir, name+".log") }

// stop ends a server: SIGTERM, then SIGKILL after grace.
func (c *Cluster) stop(name string, grace time.Duration) error {
	c.mu.Lock()
	cmd, done := c.procs[name], c.waits[name]
	delete(c.procs, name)
	delete(c.waits, name)
	c.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left in its group
	return nil
}

// secrets writes the admin token file and the service-account key pair,
// and returns the token.
func (c *Cluster) secrets() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	if err := os.WriteFile(filepath.Join(c.dir, "token"), []byte(token), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(c.dir, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return "", err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(c.dir, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return "", err
	}
	return token, os.WriteFile(filepath.Join(c.dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600)
}

func kubeconfig(server, token string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ` + server + `
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ` + token + `
contexts:
- name: test
  context:
    cluster: test
    user: admin
current-context: test
`
}

var insecure = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test server's own self-signed certificate
	Proxy:           nil, DisableKeepAlives: true}}

func httpOK(url, token string) bool {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := insecure.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePorts finds n ports nothing listens on now, from outside the
// kernel's ephemeral range (internal/freeport): etcd and the API server
// bind them later.
func freePorts(n int) ([]int, error) { return freeport.TCP(n) }
