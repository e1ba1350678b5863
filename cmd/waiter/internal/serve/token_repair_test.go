package serve

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/jwttest"
)

// damagedTokenRouter runs a jwt router (admin: ops) over a store whose
// token app (owned by alice) has a flipped byte, and returns a caller
// acting as the user it is given.
func damagedTokenRouter(t *testing.T) func(user, method, path, body string) (int, string) {
	t.Helper()
	dir := storeWithDamagedToken(t)
	iss, err := jwttest.New("https://issuer.test", "waiter.test", "k1")
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := iss.WriteJWKS(jwks); err != nil {
		t.Fatal(err)
	}
	url, _ := jwtRun(t, dir, jwks, iss, fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() }))
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	return func(user, method, path, body string) (int, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, url+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", token(t, iss, user+"@example.test", time.Hour))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return read(t, resp)
	}
}

// wantStoreStatus checks /status's store entry.
func wantStoreStatus(t *testing.T, call func(user, method, path, body string) (int, string), want string, corrupt float64) {
	t.Helper()
	status, body := call("ops", "GET", "/status", "")
	wantBody(t, status, body, 200)
	store, _ := decode(t, body)["store"].(map[string]any)
	if store["status"] != want || store["corrupt-records"] != corrupt {
		t.Fatalf("/status store = %v, want %s with %v corrupt records", store, want, corrupt)
	}
}

const damagedHint = "ask an admin to hard-delete or overwrite it"

// Everyone but an admin gets the damaged token's 500, now saying how to
// repair it: reads, writes, deletes, and update-mode=admin (403, not an
// admin). The token's owner is no exception: its owner cannot be read.
func TestDamagedTokenOnlyAdminsRepair(t *testing.T) {
	call := damagedTokenRouter(t)
	wantStoreStatus(t, call, "degraded", 1)
	status, body := call("alice", "GET", "/token?token=app", "")
	wantBody(t, status, body, 500, `token \"app\"`, "checksum mismatch", damagedHint)
	status, body = call("alice", "POST", "/token", `{"token": "app", "cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 64, "version": "v2"}`)
	wantBody(t, status, body, 500, `token \"app\"`, damagedHint)
	status, body = call("alice", "DELETE", "/token?token=app", "")
	wantBody(t, status, body, 500, `token \"app\"`, damagedHint)
	status, body = call("alice", "DELETE", "/token?token=app&hard-delete=true", "")
	wantBody(t, status, body, 500, `token \"app\"`, damagedHint)
	status, body = call("alice", "POST", "/token?update-mode=admin", `{"token": "app", "cmd": "ls", "cpus": 0.1, "mem": 64, "version": "v2"}`)
	wantBody(t, status, body, 403, "update-mode=admin is for the router's admins")
	// An admin's ordinary (soft) delete cannot apply to it either.
	status, body = call("ops", "DELETE", "/token?token=app", "")
	wantBody(t, status, body, 500, damagedHint)
	wantStoreStatus(t, call, "degraded", 1)
}

// An admin hard-deletes a damaged token without If-Match: it is gone, the
// store is healthy again, and its name can be created afresh.
func TestDamagedTokenHardDeletedByAdmin(t *testing.T) {
	call := damagedTokenRouter(t)
	status, body := call("ops", "DELETE", "/token?token=app&hard-delete=true", "")
	wantBody(t, status, body, 200, `"hard-delete": true`, `"success": true`)
	status, body = call("alice", "GET", "/token?token=app", "")
	wantBody(t, status, body, 404, "Couldn't find token app")
	wantStoreStatus(t, call, "ok", 0)
	status, body = call("alice", "GET", "/tokens?owner=alice", "")
	wantBody(t, status, body, 200, `"token": "other"`)
	if strings.Contains(body, `"token": "app"`) {
		t.Fatalf("the hard-deleted token is still in alice's index: %s", body)
	}
	status, body = call("alice", "POST", "/token", `{"token": "app", "cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 64, "version": "v3"}`)
	wantBody(t, status, body, 200, "Successfully created app")
	status, body = call("ops", "DELETE", "/token?token=other&hard-delete=true", "")
	wantBody(t, status, body, 400, "if-match") // an intact token still needs If-Match
}

// An admin overwrites a damaged token with update-mode=admin and no
// If-Match: the new version is served, to its owner too, and the store is
// healthy again.
func TestDamagedTokenOverwrittenByAdmin(t *testing.T) {
	call := damagedTokenRouter(t)
	status, body := call("ops", "POST", "/token?update-mode=admin",
		`{"token": "app", "cmd": "kitchen -p $PORT0", "cpus": 0.2, "mem": 64, "version": "v2", "owner": "alice"}`)
	wantBody(t, status, body, 200, "Successfully updated app")
	status, body = call("alice", "GET", "/token?token=app", "")
	wantBody(t, status, body, 200, `"version": "v2"`, `"owner": "alice"`)
	wantStoreStatus(t, call, "ok", 0)
	status, body = call("alice", "POST", "/token", `{"token": "app", "cmd": "kitchen -p $PORT0", "cpus": 0.3, "mem": 64, "version": "v2"}`)
	wantBody(t, status, body, 200, "Successfully updated app")
	// Admin mode over an intact token asks for If-Match again.
	status, body = call("ops", "POST", "/token?update-mode=admin", `{"token": "app", "cmd": "ls", "cpus": 0.1, "mem": 64, "version": "v4"}`)
	wantBody(t, status, body, 400, "Must specify if-match header for admin mode token updates")
}
