package realrun

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// Binaries are the programs a fidelity run starts.
type Binaries struct {
	Waiter, WaiterSim, Kitchen string
}

// FindBinaries looks for waiter and kitchen beside the running program,
// then in PATH.
func FindBinaries() (Binaries, error) {
	self, err := os.Executable()
	if err != nil {
		return Binaries{}, err
	}
	dir := filepath.Dir(self)
	b := Binaries{WaiterSim: self}
	for _, p := range []struct {
		name string
		to   *string
	}{{"waiter", &b.Waiter}, {"kitchen", &b.Kitchen}} {
		if path := filepath.Join(dir, p.name); isFile(path) {
			*p.to = path
			continue
		}
		return Binaries{}, fmt.Errorf("no %s beside %s: build every binary into one folder (go build -o bin/ ./cmd/...)", p.name, self)
	}
	return b, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Router is a `waiter serve` this package started, on a free loopback
// port, with its data in a temporary folder, configured as a scenario's
// router (poll intervals, scaling interval, queue timeout, the engine's
// seed).
type Router struct {
	URL      string
	Dir      string
	serve    *child
	marathon *child
}

var (
	listeningRe = regexp.MustCompile(`waiter serve: listening"? addr=(\S+)`)
	marathonRe  = regexp.MustCompile(`simulated Marathon listening on (\S+)`)
)

// StartRouter starts a router for sc in a new folder under parent;
// scheduler is shell or marathon (a `waiter-sim marathon` whose tasks are
// real processes).
func StartRouter(b Binaries, parent string, sc *scenario.Scenario, seed uint64, scheduler string) (*Router, error) {
	dir, err := os.MkdirTemp(parent, "router-")
	if err != nil {
		return nil, err
	}
	r := &Router{Dir: dir}
	// A block of 200 ports among 16000-19999, away from the shell
	// scheduler's default (10000 on) and the kernel's ephemeral ports.
	lo := 16000 + 200*rand.IntN(20)
	hi := lo + 199
	sched := fmt.Sprintf("scheduler: shell\nshell:\n  port-range: [%d, %d]\n", lo, hi)
	if scheduler == "marathon" {
		launch := MarathonLaunchLatency(sc)
		m, url, err := startChild("waiter-sim marathon", filepath.Join(dir, "marathon.log"), marathonRe, 30*time.Second,
			b.WaiterSim, "marathon", "--listen", "127.0.0.1:0", "--port-range", fmt.Sprintf("%d-%d", lo, hi),
			"--launch-latency", launch.String(), "--work-dir", filepath.Join(dir, "tasks"), "--seed", fmt.Sprint(seed))
		if err != nil {
			return nil, err
		}
		r.marathon = m
		sched = fmt.Sprintf("scheduler: marathon\nmarathon-url: %s\ndeployment-error-min-hosts: 1\n", url)
	}
	engineSeed := sim.EngineConfig(sc, seed, "").Seed
	cfg := fmt.Sprintf(`host: 127.0.0.1
router-id: fidelity
seed: %d
poll-interval: %s
fast-poll-interval: %s
scaling-interval: %s
queue-timeout: %s
scaling-policy: %s
%s`, engineSeed, sc.Router.PollInterval, sc.Router.FastPollInterval, sc.Router.ScalingInterval, sc.Router.QueueTimeout, sc.Policy, sched)
	cfgPath := filepath.Join(dir, "waiter.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		r.Stop()
		return nil, err
	}
	s, addr, err := startChild("waiter serve", filepath.Join(dir, "waiter.log"), listeningRe, 30*time.Second,
		b.Waiter, "serve", "--config", cfgPath, "--data-dir", filepath.Join(dir, "data"), "--port", "0")
	if err != nil {
		r.Stop()
		return nil, err
	}
	r.serve, r.URL = s, "http://"+addr
	if err := awaitOK(r.URL+"/status", 10*time.Second); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// MarathonLaunchLatency is the staging-to-running delay the simulated
// Marathon of a real run gives every task: the mean of the scenario's
// launch latency (a real run plays a distribution by its mean, as it
// does kitchen's start-up).
func MarathonLaunchLatency(sc *scenario.Scenario) time.Duration {
	return time.Duration(sc.Marathon.LaunchLatency.ExpectedValue() * float64(time.Second)).Round(time.Millisecond)
}

// Stop stops the router (which stops its instances) and the simulated
// Marathon, and removes the folder.
func (r *Router) Stop() error {
	var first error
	for _, c := range []*child{r.serve, r.marathon} {
		if c == nil {
			continue
		}
		if err := c.stop(30 * time.Second); err != nil && first == nil {
			first = err
		}
	}
	if err := os.RemoveAll(r.Dir); err != nil && first == nil {
		first = err
	}
	return first
}

// Log is the last lines of the router's log, for error messages.
func (r *Router) Log() string {
	if r.serve == nil {
		return ""
	}
	return r.serve.lastLines()
}

// awaitOK polls url until it answers 200.
func awaitOK(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer 200 within %v (%v)", url, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
