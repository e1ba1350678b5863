package fakemarathon_test

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
)

// envRole makes the test binary act as a task's program.
const envRole = "HTTPAPI_TEST_ROLE"

func TestMain(m *testing.M) {
	if os.Getenv(envRole) == "server" {
		http.HandleFunc("/health", func(http.ResponseWriter, *http.Request) {})
		_ = http.ListenAndServe(net.JoinHostPort(os.Getenv("HOST"), os.Getenv("PORT0")), nil)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestTasksAreRealProcesses runs an app whose tasks serve HTTP on their
// $PORT0: they pass real health checks, answer on the reported host and
// port, fail with their exit status, and stop with the app.
func TestTasksAreRealProcesses(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	_, u := newServer(t, func(c *fakemarathon.Config) {
		c.Simulated = false
		c.Procs = procs.Config{WorkDir: work, PortRange: [2]int{34000, 34099}}
	})
	c := client(t, u)
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	web := app("/web", 2)
	cmd := "exec '" + bin + "'"
	web.Cmd = &cmd
	web.Env = &map[string]string{envRole: "server"}
	if _, err := c.CreateApplication(web); err != nil {
		t.Fatal(err)
	}
	a := healthy(t, c, "/web", 2)
	for _, tk := range a.Tasks {
		resp, err := http.Get("http://" + net.JoinHostPort(tk.Host, strconv.Itoa(tk.Ports[0])) + "/health")
		if err != nil {
			t.Fatalf("task %s does not serve on its port: %v", tk.ID, err)
		}
		resp.Body.Close()
		if tk.Ports[0] < 34000 || tk.Ports[0] > 34099 {
			t.Errorf("port %d outside the configured range", tk.Ports[0])
		}
	}
	if _, err := c.KillTask(a.Tasks[0].ID, &gomarathon.KillTaskOpts{Scale: true}); err != nil {
		t.Fatal(err)
	}
	gone := net.JoinHostPort(a.Tasks[0].Host, strconv.Itoa(a.Tasks[0].Ports[0]))
	until(t, "the killed task's process to stop serving", func() bool {
		conn, err := net.DialTimeout("tcp", gone, time.Second)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})

	bad := app("/bad", 1)
	exit := "exit 3"
	bad.Cmd = &exit
	if _, err := c.CreateApplication(bad); err != nil {
		t.Fatal(err)
	}
	until(t, "the exit to be reported", func() bool {
		a, err := c.Application("/bad")
		return err == nil && a.LastTaskFailure != nil && a.LastTaskFailure.Message == "Command exited with status 3"
	})
	for _, id := range []string{"/web", "/bad"} {
		if _, err := c.DeleteApplication(id, false); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "every sandbox's process to be gone", func() bool {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(a.Tasks[1].Host, strconv.Itoa(a.Tasks[1].Ports[0])), time.Second)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
}
