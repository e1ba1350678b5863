package fakemarathon_test

import (
	"net/url"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"
	"github.com/waiter-go/waiter/internal/fakemarathon"
)

// TestGoMarathonMethods calls every go-marathon v0.7.1 method a scheduler
// adapter may use (reference section 1.2) and checks that each succeeds
// and decodes something sensible: the client's own wire format, query
// encoding and decoding (deployment steps included) against the server.
func TestGoMarathonMethods(t *testing.T) {
	t.Parallel()
	s, u := newServer(t, func(c *fakemarathon.Config) { c.BackoffSeconds = 600 })
	c := client(t, u)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ok, err := c.Ping()
	must("Ping", err)
	if !ok {
		t.Fatal("Ping not ok")
	}
	info, err := c.Info()
	must("Info", err)
	if info.Name != "marathon" || info.FrameworkID == "" {
		t.Errorf("info %+v", info)
	}
	leader, err := c.Leader()
	must("Leader", err)
	if leader == "" {
		t.Error("no leader")
	}

	created, err := c.CreateApplication(app("/grp/web", 2))
	must("CreateApplication", err)
	if len(created.Deployments) != 1 {
		t.Errorf("created app has deployments %v, want one", created.Deployments)
	}
	must("WaitOnApplication", c.WaitOnApplication("/grp/web", 10*time.Second))
	deps, err := c.Deployments()
	must("Deployments", err)
	for _, d := range deps {
		if len(d.Steps) == 0 || d.Steps[0][0].Action == "" || d.Steps[0][0].App != "/grp/web" {
			t.Errorf("deployment steps not decoded: %+v", d)
		}
	}
	healthy(t, c, "/grp/web", 2)
	okApp, err := c.ApplicationOK("/grp/web")
	must("ApplicationOK", err)
	if !okApp {
		t.Error("ApplicationOK false for a healthy app")
	}
	list, err := c.Applications(url.Values{"embed": {"apps.tasks", "apps.lastTaskFailure", "apps.taskStats"}})
	must("Applications", err)
	if len(list.Apps) != 1 || len(list.Apps[0].Tasks) != 2 || list.Apps[0].TaskStats["totalSummary"].Stats.Counts["running"] != 2 {
		t.Errorf("applications %+v", list.Apps)
	}
	ids, err := c.ListApplications(url.Values{"id": {"web"}})
	must("ListApplications", err)
	if len(ids) != 1 || ids[0] != "/grp/web" {
		t.Errorf("ListApplications %v", ids)
	}
	by, err := c.ApplicationBy("/grp/web", &gomarathon.GetAppOpts{Embed: []string{"app.taskStats"}})
	must("ApplicationBy", err)
	if by.TaskStats == nil {
		t.Error("ApplicationBy ignored embed=app.taskStats")
	}
	tasks, err := c.Tasks("/grp/web")
	must("Tasks", err)
	all, err := c.AllTasks(&gomarathon.AllTasksOpts{Status: "running"})
	must("AllTasks", err)
	if len(tasks.Tasks) != 2 || len(all.Tasks) != 2 {
		t.Errorf("tasks %d, all running %d", len(tasks.Tasks), len(all.Tasks))
	}
	versions, err := c.ApplicationVersions("/grp/web")
	must("ApplicationVersions", err)
	v0 := versions.Versions[0]
	_, err = c.ApplicationByVersion("/grp/web", v0)
	must("ApplicationByVersion", err)

	dep, err := c.ScaleApplicationInstances("/grp/web", 3, false)
	must("ScaleApplicationInstances", err)
	has, err := c.HasDeployment(dep.DeploymentID)
	must("HasDeployment", err)
	if !has {
		t.Error("the scale's deployment is not listed")
	}
	must("WaitOnDeployment", c.WaitOnDeployment(dep.DeploymentID, 10*time.Second))
	updated := app("/grp/web", 3)
	env := map[string]string{"NEW": "1"}
	updated.Env = &env
	_, err = c.UpdateApplication(updated, true)
	must("UpdateApplication", err)
	_, err = c.RestartApplication("/grp/web", true)
	must("RestartApplication", err)
	healthy(t, c, "/grp/web", 3)
	_, err = c.SetApplicationVersion("/grp/web", &gomarathon.ApplicationVersion{Version: v0})
	must("SetApplicationVersion", err)
	a := healthy(t, c, "/grp/web", 2)
	if a.Env != nil && (*a.Env)["NEW"] != "" {
		t.Error("rolling back to the first version kept the later env")
	}

	_, err = c.KillTask(a.Tasks[0].ID, &gomarathon.KillTaskOpts{Scale: true})
	must("KillTask", err)
	killed, err := c.KillApplicationTasks("/grp/web", &gomarathon.KillApplicationTasksOpts{Host: "*"})
	must("KillApplicationTasks", err)
	if len(killed.Tasks) != 1 {
		t.Errorf("KillApplicationTasks killed %d, want the 1 left", len(killed.Tasks))
	}
	a = healthy(t, c, "/grp/web", 1)
	must("KillTasks", c.KillTasks([]string{a.Tasks[0].ID}, &gomarathon.KillTaskOpts{}))

	groups, err := c.Groups()
	must("Groups", err)
	if len(groups.Groups) != 1 || groups.Groups[0].ID != "/grp" {
		t.Errorf("groups %+v", groups)
	}
	_, err = c.Group("/grp")
	must("Group", err)

	// A failing app waits in the launch queue.
	bad := app("/bad", 1)
	_, err = c.CreateApplication(bad)
	must("CreateApplication(bad)", err)
	must("FailTask", s.FailTask(healthy(t, c, "/bad", 1).Tasks[0].ID, 1))
	q, err := c.Queue()
	must("Queue", err)
	if len(q.Items) != 1 {
		t.Fatalf("queue %+v", q)
	}
	must("DeleteQueueDelay", c.DeleteQueueDelay("/bad"))

	held, err := s.HoldDeployment("/grp/web", time.Hour)
	must("HoldDeployment", err)
	_, err = c.DeleteDeployment(held, true)
	must("DeleteDeployment", err)
	_, err = c.DeleteApplication("/grp/web", false)
	must("DeleteApplication", err)
}
