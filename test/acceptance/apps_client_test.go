package acceptance

import (
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"
)

// Waiter's client tools for /apps: what the tests read of a service.

// instanceView is an instance as /apps/{id} shows it.
type instanceView struct {
	ID        string    `json:"id"`
	Healthy   bool      `json:"healthy?"`
	Host      string    `json:"host"`
	Port      int       `json:"port"`
	StartedAt time.Time `json:"started-at"`
	Flags     []string  `json:"flags"`
}

// appDetails is GET /apps/{id}; raw keeps every field for presence checks.
type appDetails struct {
	ServiceID           string         `json:"service-id"`
	Status              string         `json:"status"`
	ServiceDescription  map[string]any `json:"service-description"`
	EffectiveParameters map[string]any `json:"effective-parameters"`
	Overrides           struct {
		Overrides map[string]any `json:"overrides"`
	} `json:"service-description-overrides"`
	Instances struct {
		Active []instanceView `json:"active-instances"`
		Failed []instanceView `json:"failed-instances"`
		Killed []instanceView `json:"killed-instances"`
	} `json:"instances"`
	LastRequestTime string `json:"last-request-time"`
	raw             map[string]any
}

// serviceSettings is Waiter's service-settings: GET /apps/{id}.
func (rt *router) serviceSettings(t testing.TB, id string, query url.Values) appDetails {
	t.Helper()
	path := "/apps/" + id
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	r := rt.get(path)
	expectStatus(t, r, http.StatusOK)
	var d appDetails
	r.json(t, &d)
	r.json(t, &d.raw)
	return d
}

// activeInstances lists the service's active instances, oldest first
// (Waiter's sort-instances-for-processing: by start time, then id).
func (rt *router) activeInstances(t testing.TB, id string) []instanceView {
	t.Helper()
	list := rt.serviceSettings(t, id, nil).Instances.Active
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].StartedAt.Equal(list[j].StartedAt) {
			return list[i].StartedAt.Before(list[j].StartedAt)
		}
		return list[i].ID < list[j].ID
	})
	return list
}

// numInstances is Waiter's num-instances: the count of active instances.
func (rt *router) numInstances(t testing.TB, id string) int {
	t.Helper()
	return len(rt.serviceSettings(t, id, nil).Instances.Active)
}

// healthyInstances counts the active instances that are healthy.
func (rt *router) healthyInstances(t testing.TB, id string) int {
	t.Helper()
	n := 0
	for _, in := range rt.serviceSettings(t, id, nil).Instances.Active {
		if in.Healthy {
			n++
		}
	}
	return n
}

// listApps is GET /apps with query parameters.
func (rt *router) listApps(t testing.TB, query url.Values) []map[string]any {
	t.Helper()
	path := "/apps"
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	r := rt.get(path)
	expectStatus(t, r, http.StatusOK)
	var out []map[string]any
	r.json(t, &out)
	return out
}

// findApp is Waiter's service: the /apps entry of id, or nil.
func findApp(apps []map[string]any, id string) map[string]any {
	for _, a := range apps {
		if a["service-id"] == id {
			return a
		}
	}
	return nil
}

// nested reads m[k1][k2]... of decoded JSON; nil when any level is missing.
func nested(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
