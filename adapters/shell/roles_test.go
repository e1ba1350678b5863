package shell

// The test binary doubles as the services the tests start: when
// SHELLTEST_ROLE is set, TestMain runs that role instead of the tests. So
// the suite needs nothing but Go, and no build step.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/engine"
)

const (
	envRole = "SHELLTEST_ROLE" // server | idle | exit | alloc | router
	// server: sleep this long (a Go duration) before listening.
	envDelay = "SHELLTEST_DELAY"
	// server: the status /health answers (default 200).
	envHealthStatus = "SHELLTEST_HEALTH_STATUS"
	// server: /health never answers.
	envHealthHang = "SHELLTEST_HEALTH_HANG"
	// any: fork a child into the same process group first, running
	// SHELLTEST_CHILD_ROLE (default idle).
	envChild     = "SHELLTEST_CHILD"
	envChildRole = "SHELLTEST_CHILD_ROLE"
	// any: ignore SIGTERM (and the child too).
	envIgnoreTerm = "SHELLTEST_IGNORE_TERM"
	// any: on SIGTERM create this file.
	envTermMarker = "SHELLTEST_TERM_MARKER"
	// exit: the exit code; server: the code /die exits with.
	envExitCode = "SHELLTEST_EXIT_CODE"
	// alloc: MB to allocate and touch.
	envAllocMB = "SHELLTEST_ALLOC_MB"
	// router: the work folder and port range of the scheduler it runs,
	// and the run-as-user of its service.
	envRouterDir   = "SHELLTEST_ROUTER_DIR"
	envRouterPorts = "SHELLTEST_ROUTER_PORTS"
	envRouterRunAs = "SHELLTEST_ROUTER_RUN_AS"
	// the binary that services run (see runTests).
	envBinary = "SHELLTEST_BINARY"
)

// timingFile is written by the server role into its cwd (the instance
// folder): when its main started and when it listened, in Unix ns.
const timingFile = "timing.json"

type timing struct {
	Main   int64 `json:"main"`
	Listen int64 `json:"listen"`
}

// ballast keeps the alloc role's memory reachable.
var ballast []byte

func runRole(role string) int {
	mainAt := time.Now()
	handleTerm()
	if os.Getenv(envChild) != "" {
		childRole := os.Getenv(envChildRole)
		if childRole == "" {
			childRole = "idle"
		}
		child := exec.Command(os.Args[0]) // the service binary: a role runs as its cmd
		child.Env = append(os.Environ(), envRole+"="+childRole, envChild+"=")
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 2
		}
	}
	switch role {
	case "server":
		return serve(mainAt)
	case "idle":
		select {}
	case "exit":
		code, _ := strconv.Atoi(os.Getenv(envExitCode))
		return code
	case "alloc":
		mb, _ := strconv.Atoi(os.Getenv(envAllocMB))
		ballast = make([]byte, mb<<20)
		for i := 0; i < len(ballast); i += 4096 {
			ballast[i] = 1
		}
		select {}
	case "router":
		return runRouter()
	case "router-dying-at-spawn":
		return runRouterDyingAtSpawn()
	case "refuser":
		return runRefuser()
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 2
}

func handleTerm() {
	ignore, marker := os.Getenv(envIgnoreTerm) != "", os.Getenv(envTermMarker)
	if !ignore && marker == "" {
		return
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	go func() {
		for range c {
			if marker != "" {
				_ = os.WriteFile(marker, []byte("SIGTERM\n"), 0o644)
			}
			if !ignore {
				os.Exit(0)
			}
		}
	}()
}

func serve(mainAt time.Time) int {
	if d, err := time.ParseDuration(os.Getenv(envDelay)); err == nil {
		time.Sleep(d) // the service's own start-up time
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:"+os.Getenv("PORT0"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 1
	}
	b, _ := json.Marshal(timing{Main: mainAt.UnixNano(), Listen: time.Now().UnixNano()})
	_ = os.WriteFile(timingFile, b, 0o644)
	fmt.Println("serving on", ln.Addr())
	fmt.Fprintln(os.Stderr, "a line on stderr")

	status := http.StatusOK
	if s, err := strconv.Atoi(os.Getenv(envHealthStatus)); err == nil {
		status = s
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv(envHealthHang) != "" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			for i := 0; i < len(kv); i++ {
				if kv[i] == '=' {
					env[kv[:i]] = kv[i+1:]
					break
				}
			}
		}
		env["cwd"], _ = os.Getwd()
		env["pid"] = strconv.Itoa(os.Getpid())
		_ = json.NewEncoder(w).Encode(env)
	})
	mux.HandleFunc("/die", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(os.Getenv(envExitCode))
		os.Exit(code)
	})
	_ = http.Serve(ln, mux)
	return 1
}

// routerReport is what the router role prints once its service is healthy.
type routerReport struct {
	Service   string         `json:"service"`
	Instances map[string]int `json:"instances"` // instance id -> pgid
}

// roleScheduler is the scheduler a router role runs, on the work folder
// and port range the test gave it (envRouterDir, envRouterPorts).
func roleScheduler() (*Scheduler, error) {
	var lo, hi int
	fmt.Sscanf(os.Getenv(envRouterPorts), "%d-%d", &lo, &hi)
	return New(Config{WorkDir: os.Getenv(envRouterDir), PortRange: [2]int{lo, hi}})
}

// runRouter plays a router that will crash: it starts a service of two
// instances, reports them, and waits to be killed.
func runRouter() int {
	s, err := roleScheduler()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	p := engine.Params{"name": "adoptme"}
	if runAs := os.Getenv(envRouterRunAs); runAs != "" {
		p["run-as-user"] = runAs
	}
	d, err := serverDescription(p)
	if err == nil {
		err = s.CreateService(context.Background(), d, 2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		obs, _ := s.ObserveService(context.Background(), d.ID)
		healthy := 0
		for _, in := range obs.Instances {
			if in.Healthy {
				healthy++
			}
		}
		if healthy < 2 {
			continue
		}
		rep := routerReport{Service: d.ID, Instances: map[string]int{}}
		s.mu.Lock()
		for id, in := range s.services[d.ID].instances {
			rep.Instances[id] = in.pid
		}
		s.mu.Unlock()
		b, _ := json.Marshal(rep)
		fmt.Println(string(b))
		select {} // until SIGKILL
	}
	fmt.Fprintln(os.Stderr, "router: service never became healthy")
	return 1
}

// spawnReport is what runRouterDyingAtSpawn prints as it dies: its
// service, and the instance process it started and never recorded.
type spawnReport struct {
	Service string `json:"service"`
	PID     int    `json:"pid"`
}

// runRouterDyingAtSpawn plays a router that crashes between starting an
// instance and writing its record (launch.go): it creates a service of
// one instance, and as soon as the instance's process runs it reports it
// and kills itself with SIGKILL.
func runRouterDyingAtSpawn() int {
	s, err := roleScheduler()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	d, err := serverDescription(engine.Params{"name": "unrecorded"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.spawned = func(pid int) {
		b, _ := json.Marshal(spawnReport{Service: d.ID, PID: pid})
		fmt.Println(string(b))
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if err := s.CreateService(context.Background(), d, 1); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {} // the spawn kills it
}

// runRefuser plays a router that is not root (the test starts it as
// another account): it creates a service with run-as-user
// envRouterRunAs, prints the service's observation as JSON and stops.
func runRefuser() int {
	s, err := roleScheduler()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	d, err := serverDescription(engine.Params{"name": "refused", "run-as-user": os.Getenv(envRouterRunAs)})
	if err == nil {
		err = s.CreateService(context.Background(), d, 1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	obs, err := s.ObserveService(context.Background(), d.ID)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b, _ := json.Marshal(obs)
	fmt.Println(string(b))
	return 0
}

// serverDescription describes a service running this binary as the
// server role; extra params override (env maps merge).
func serverDescription(extra engine.Params) (*engine.Description, error) {
	bin, err := serviceBinary()
	if err != nil {
		return nil, err
	}
	env := map[string]string{envRole: "server"}
	p := engine.Params{
		"cmd":               "exec '" + bin + "'",
		"cpus":              0.5,
		"mem":               512.0,
		"version":           "1",
		"health-check-url":  "/health",
		"grace-period-secs": 30.0,
	}
	for k, v := range extra {
		if k == "env" {
			for ek, ev := range v.(map[string]string) {
				env[ek] = ev
			}
			continue
		}
		p[k] = v
	}
	p["env"] = env
	return engine.NewDescription(p, engine.DescriptionOptions{})
}
