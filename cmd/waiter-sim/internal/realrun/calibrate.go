package realrun

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/freeport"
	"github.com/waiter-go/waiter/sim/fidelity"
)

// calibrationRounds is how many times each figure is measured; the
// median is kept.
const calibrationRounds = 9

// Calibrate measures what the real path adds on this machine: how long a
// kitchen process takes from exec to answering (the shell scheduler's
// launch, which the model's launch latency stands for), and what one
// request of no work costs through the router (proxy, connections,
// kitchen) and straight to kitchen. r must be running; the calibration
// service it starts there is deleted again.
func Calibrate(ctx context.Context, b Binaries, r *Router) (fidelity.Calibration, error) {
	var cal fidelity.Calibration
	var starts, direct []time.Duration
	for i := 0; i < calibrationRounds; i++ {
		d, per, err := timeKitchen(ctx, b.Kitchen, r.Dir)
		if err != nil {
			return cal, err
		}
		starts = append(starts, d)
		direct = append(direct, per...)
	}
	cal.ProcessStartMS = msOf(median(starts))
	cal.KitchenRequestMS = msOf(median(direct))

	c := newClient()
	defer c.CloseIdleConnections()
	svc, _, err := newService(&calibrationBehaviour, "fidelity-calibration", b.Kitchen, "", "")
	if err != nil {
		return cal, err
	}
	if svc.id, err = serviceID(ctx, c, r.URL, svc.headers); err != nil {
		return cal, err
	}
	var via []time.Duration
	for i := 0; i < 1+4*calibrationRounds; i++ {
		t0 := time.Now()
		rq := send(ctx, c, r.URL, svc, arrival{}, t0, time.Minute)
		if rq.Outcome != outcomeOK {
			return cal, fmt.Errorf("calibration request through the router: %s %s", rq.Outcome, rq.Reason)
		}
		if i > 0 { // the first one waited for the instance
			via = append(via, time.Since(t0))
		}
	}
	cal.RouterRequestMS = msOf(median(via))
	deleteService(ctx, c, r.URL, svc.id)
	return cal, nil
}

// timeKitchen starts a kitchen on a free port and times its first answer
// from the exec, then a few requests straight to it.
func timeKitchen(ctx context.Context, kitchen, dir string) (time.Duration, []time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, nil, err
	}
	cmd := exec.CommandContext(ctx, kitchen, "-p", fmt.Sprint(port))
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	c := &http.Client{Timeout: 2 * time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("calibration: start kitchen: %w", err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	var start time.Duration
	for {
		if get(c, url) == nil {
			start = time.Since(t0)
			break
		}
		if time.Since(t0) > 10*time.Second {
			return 0, nil, fmt.Errorf("calibration: kitchen on port %d did not answer within 10s", port)
		}
		time.Sleep(time.Millisecond)
	}
	var per []time.Duration
	for i := 0; i < 4; i++ {
		t := time.Now()
		if err := get(c, url); err != nil {
			return 0, nil, fmt.Errorf("calibration: %w", err)
		}
		per = append(per, time.Since(t))
	}
	return start, per, nil
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// freePort finds a port nobody listens on, for the router started next
// (internal/freeport: from outside the kernel's ephemeral range).
func freePort() (int, error) {
	ports, err := freeport.TCP(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// deleteService removes a service from the router (best effort: the
// router's folder goes when the run ends anyway).
func deleteService(ctx context.Context, c *http.Client, target, id string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, target+"/apps/"+id, nil)
	if err != nil {
		return
	}
	if resp, err := c.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
