package waiterhttp

import (
	"net/http"
	"strings"
	"testing"
)

// wantHidden checks a JSON answer shows the env key but not the secret.
func wantHidden(t *testing.T, what, body, key, secret string) {
	t.Helper()
	if strings.Contains(body, secret) {
		t.Errorf("%s shows the secret %q:\n%s", what, secret, body)
	}
	if !strings.Contains(body, `"`+key+`": "`+hiddenValue+`"`) {
		t.Errorf("%s does not show %s as %s:\n%s", what, key, hiddenValue, body)
	}
}

func wantShown(t *testing.T, what, body, secret string) {
	t.Helper()
	if !strings.Contains(body, secret) {
		t.Errorf("%s hides %q from someone who may see it:\n%s", what, secret, body)
	}
}

func TestServiceEnvHiddenFromStrangers(t *testing.T) {
	e := multiUserEdge(t)
	const secret = "s3cr3t-value"
	d := describeFor(t, "alice", "x-waiter-name", "vault", "x-waiter-env-db_password", secret)
	e.running(t, d)
	paths := []string{"/apps", "/apps?include=effective-parameters", "/apps/" + d.ID, "/apps/" + d.ID + "?include=effective-parameters"}

	for _, p := range paths {
		rec := e.as(t, "bob", req{path: p})
		wantStatus(t, rec, http.StatusOK)
		wantHidden(t, "GET "+p+" as bob", rec.Body.String(), "DB_PASSWORD", secret)
	}
	// A filter cannot probe a hidden value.
	if got := decodeList(t, e.as(t, "bob", req{path: "/apps?env.DB_PASSWORD=s3cr*"})); len(got) != 0 {
		t.Errorf("bob's env filter matched the hidden value: %v", got)
	}
	// The run-as-user and an admin see it; bob's view did not change the
	// router's description.
	for _, user := range []string{"alice", "root"} {
		for _, p := range paths {
			rec := e.as(t, user, req{path: p})
			wantStatus(t, rec, http.StatusOK)
			wantShown(t, "GET "+p+" as "+user, rec.Body.String(), secret)
		}
		if got := decodeList(t, e.as(t, user, req{path: "/apps?env.DB_PASSWORD=s3cr*"})); len(got) != 1 {
			t.Errorf("%s's env filter found %d services, want 1", user, len(got))
		}
	}
}

func TestTokenEnvHiddenFromStrangers(t *testing.T) {
	e := multiUserEdge(t)
	const v1, v2 = "first-k3y", "second-k3y"
	body := `{"token": "api", "cmd": "kitchen", "env": {"API_KEY": "VALUE"}, "editor": "dave"}`
	wantStatus(t, e.postToken(t, "carol", strings.Replace(body, "VALUE", v1, 1)), http.StatusOK)
	wantStatus(t, e.postToken(t, "carol", strings.Replace(body, "VALUE", v2, 1)), http.StatusOK)

	for _, p := range []string{"/token?token=api", "/token?token=api&include=metadata"} {
		rec := e.as(t, "bob", req{path: p})
		wantStatus(t, rec, http.StatusOK)
		wantHidden(t, "GET "+p+" as bob", rec.Body.String(), "API_KEY", v2)
		wantHidden(t, "GET "+p+" as bob", rec.Body.String(), "API_KEY", v1) // nor in previous versions
		for _, user := range []string{"carol", "dave", "root"} {
			rec := e.as(t, user, req{path: p})
			wantStatus(t, rec, http.StatusOK)
			wantShown(t, "GET "+p+" as "+user, rec.Body.String(), v2)
		}
	}
	rec := e.as(t, "carol", req{path: "/token?token=api&include=metadata"})
	wantShown(t, "the previous version for carol", rec.Body.String(), v1)
	// The ETag is the token's, whoever reads it, so a masked read cannot
	// be posted back as if it were the token.
	if a, b := e.as(t, "bob", req{path: "/token?token=api"}).Header().Get("Etag"),
		e.as(t, "carol", req{path: "/token?token=api"}).Header().Get("Etag"); a == "" || a != b {
		t.Errorf("etags differ by reader: %q vs %q", a, b)
	}
}
