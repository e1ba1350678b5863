package acceptance

import (
	"net/http"
	"strings"
	"testing"
)

// test-interstitial-page, as a page rather than Waiter's 303: a browser's
// first request to a token service with interstitial-secs starts the
// service and gets the retrying page; the page's retry (bypass param)
// waits for the instance and gets the backend's answer.
func TestInterstitialPage(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["interstitial-secs"] = token, randName(t), 2
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	h := map[string]string{"x-waiter-token": token}
	rt.cleanupService(t, rt.serviceIDOf(t, h))

	r := rt.request(http.MethodGet, "/hello-world", map[string]string{"x-waiter-token": token, "Accept": "text/html"}, nil)
	expectStatus(t, r, http.StatusOK)
	expectWaiterResponse(t, r)
	if r.Header.Get("x-waiter-interstitial") != "true" {
		t.Fatalf("browser request to a cold service: want the interstitial page, got %s", r)
	}
	retry := "/hello-world?x-waiter-bypass-interstitial=1"
	expectBody(t, r, `content="2; url=`+strings.ReplaceAll(retry, "&", "&amp;")+`"`)

	r = rt.request(http.MethodGet, retry, map[string]string{"x-waiter-token": token, "Accept": "text/html"}, nil)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Hello World")
	// Non-browser clients never see the page.
	r = rt.request(http.MethodGet, "/hello-world", h, nil)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Hello World")
}

// A non-browser client's first request to a cold interstitial service is
// not given the page: it waits for the instance like any request.
func TestInterstitialNotForNonBrowsers(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["interstitial-secs"] = token, randName(t), 2
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	h := map[string]string{"x-waiter-token": token}
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	if app := findApp(rt.listApps(t, nil), id); app != nil {
		t.Fatalf("the service already runs: %v", app)
	}
	for _, accept := range []string{"", "application/json", "*/*"} {
		hh := map[string]string{"x-waiter-token": token}
		if accept != "" {
			hh["Accept"] = accept
		}
		r := rt.request(http.MethodGet, "/hello-world", hh, nil)
		expectStatus(t, r, http.StatusOK)
		expectBody(t, r, "Hello World")
		if r.Header.Get("x-waiter-interstitial") != "" {
			t.Errorf("Accept %q got the interstitial page", accept)
		}
	}
}
