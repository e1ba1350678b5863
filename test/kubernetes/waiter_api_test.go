package kubernetes

import (
	"fmt"
	"net/http"
)

// appView is the part of GET /apps/{id} the tests read.
type appView struct {
	ServiceID      string `json:"service-id"`
	Status         string `json:"status"`
	InstanceCounts struct {
		Healthy   int `json:"healthy-instances"`
		Requested int `json:"requested-instances"`
		Scheduled int `json:"scheduled-instances"`
	} `json:"instance-counts"`
	Instances struct {
		Active []instanceView `json:"active-instances"`
		Killed []instanceView `json:"killed-instances"`
	} `json:"instances"`
}

type instanceView struct {
	ID      string `json:"id"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	Healthy bool   `json:"healthy?"`
}

func (a appView) String() string {
	ids := make([]string, 0, len(a.Instances.Active))
	for _, in := range a.Instances.Active {
		ids = append(ids, fmt.Sprintf("%s(healthy=%v)", shortID(in.ID), in.Healthy))
	}
	return fmt.Sprintf("status %s, requested %d, scheduled %d, healthy %d, active %v",
		a.Status, a.InstanceCounts.Requested, a.InstanceCounts.Scheduled, a.InstanceCounts.Healthy, ids)
}

// app is GET /apps/{id}; it fails the test unless the router answers 200.
func (c *cluster) app(id string) appView {
	c.t.Helper()
	var a appView
	if code := c.getJSON(c.waiterURL+"/apps/"+id, &a); code != http.StatusOK {
		c.t.Fatalf("GET /apps/%s: status %d", id, code)
	}
	return a
}

// appIDs is the service ids GET /apps lists.
func (c *cluster) appIDs() []string {
	c.t.Helper()
	var list []appView
	if code := c.getJSON(c.waiterURL+"/apps", &list); code != http.StatusOK {
		c.t.Fatalf("GET /apps: status %d", code)
	}
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ServiceID)
	}
	return ids
}

// apiResult is the JSON body of the router's kill and delete calls.
type apiResult struct {
	Success bool   `json:"success"`
	Result  string `json:"result"`
}

// killInstance is POST /apps/{id}/instance/{iid}/kill.
func (c *cluster) killInstance(id, iid string) (int, apiResult) {
	c.t.Helper()
	var out apiResult
	code := c.call(http.MethodPost, c.waiterURL+"/apps/"+id+"/instance/"+iid+"/kill", "", &out)
	return code, out
}
