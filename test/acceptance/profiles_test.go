package acceptance

import (
	"net/http"
	"testing"
)

// Waiter's /profiles (display-profiles-handler): every configured profile
// with the defaults it sets; paths next to it stay 404.
func TestProfilesListed(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	r := rt.get("/profiles")
	expectStatus(t, r, http.StatusOK)
	var list []struct {
		Name     string         `json:"name"`
		Defaults map[string]any `json:"defaults"`
	}
	r.json(t, &list)
	if len(list) != 1 || list[0].Name != "webapp" || list[0].Defaults["concurrency-level"] != 120.0 {
		t.Errorf("/profiles = %+v, want webapp with concurrency-level 120", list)
	}
	for _, p := range []string{"/profiles/webapp", "/profile", "/ejectx", "/metrics/internal", "/tokens/history"} {
		expectStatus(t, rt.get(p), http.StatusNotFound)
	}
}
