package serve

import (
	"testing"
)

// POST /apps/{id}/instance/{iid}/kill: the instance is killed and
// replaced, the next request goes to the replacement, and /apps/{id} lists
// the killed instance with the requested count unchanged.
func TestKillInstanceReplaces(t *testing.T) {
	r := startRouter(t, nil)
	h := service("kill")
	status, body := read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 200)
	id := r.serviceID(t, h)
	victim := r.sched.Instances(id)[0].ID

	status, body = read(t, r.call(t, "POST", "/apps/"+id+"/instance/"+victim+"/kill", nil))
	wantBody(t, status, body, 200, `"instance-id": "`+victim+`"`)
	insts := r.sched.Instances(id)
	if len(insts) != 1 || insts[0].ID == victim {
		t.Fatalf("after the kill the scheduler runs %v", insts)
	}

	resp := r.call(t, "GET", "/", nil, append(h, "x-waiter-debug", "true")...)
	status, body = read(t, resp)
	wantBody(t, status, body, 200)
	if got := resp.Header.Get("x-waiter-backend-id"); got != insts[0].ID {
		t.Errorf("served by %q, want the replacement %s", got, insts[0].ID)
	}
	status, body = read(t, r.call(t, "GET", "/apps/"+id, nil))
	wantBody(t, status, body, 200)
	app := decode(t, body)
	killed := app["instances"].(map[string]any)["killed-instances"].([]any)
	if len(killed) != 1 || killed[0].(map[string]any)["id"] != victim {
		t.Errorf("killed-instances %v", killed)
	}
	if n := app["instance-counts"].(map[string]any)["requested-instances"]; n != 1.0 {
		t.Errorf("requested-instances %v, want 1", n)
	}
	status, body = read(t, r.call(t, "POST", "/apps/"+id+"/instance/"+victim+"/kill", nil))
	wantBody(t, status, body, 404)
}
