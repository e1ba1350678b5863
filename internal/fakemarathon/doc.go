// Package fakemarathon is a working stand-in for Marathon 1.4 on a
// one-machine Mesos: it serves the Marathon model the simulator also uses
// (sim/marathon) over Marathon's REST API, in real time, with real local
// processes as tasks, so that go-marathon, and with it adapters/marathon
// and `waiter serve --scheduler marathon`, run against it as against a
// real Marathon. `waiter-sim marathon` serves it.
//
// It lives outside sim/ because it is not a simulation: it reads the wall
// clock, listens on a socket and starts processes. It is "fake" in the
// test-double sense (a real implementation with shortcuts), and internal
// because only this module's command and tests use it.
//
// It serves the subset of the API go-marathon v0.7.1 uses
// (reference/marathon.md section 1): /ping, /v2/info, /v2/leader,
// /v2/apps (GET with embed, cmd, id and label filters; POST),
// /v2/apps/{id} (GET, PUT with force and partial updates, DELETE),
// /v2/apps/{id}/restart, /v2/apps/{id}/versions[/{version}],
// /v2/apps/{id}/tasks (GET, DELETE), /v2/apps/{id}/tasks/{task} (DELETE
// with scale and force), /v2/tasks, /v2/tasks/delete, /v2/deployments
// (GET, DELETE), /v2/queue, /v2/groups (GET), /v2/events (server-sent
// events) and /v2/eventSubscriptions (which answers 400 as a Marathon
// without the http_callback subscriber does). JSON shapes follow Marathon
// 1.4 (section 2), status codes and messages section 5: 404 for an
// unknown app or task, 409 for a duplicate id or an app locked by a
// deployment (unless force), 422 for an invalid definition, 400 for bad
// JSON. It never answers 5xx for something it does not support, since
// go-marathon marks a host down on any 5xx; only the Unavailable fault
// answers 503, on purpose.
//
// Files: server.go (the Server, its clock loop and lifecycle), routes.go
// (dispatch), appdef.go (app definitions: defaults, merging, validation),
// versions.go (app versions and rollback),
// apps.go, tasks.go, deployments.go, misc.go (handlers), wire.go (JSON
// shapes), events.go (the event stream), faults.go (fault injection),
// sink.go (results from real processes), errors.go.
//
// # Time and concurrency
//
// One mutex guards the model and every map here. A goroutine advances the
// model to wall-clock time: model time is the time since New. Handlers
// advance it too, so every answer reflects the present.
//
// # Tasks
//
// By default tasks are real processes on this machine (subpackage procs),
// with PORT0.. assigned and the task's host and ports reported, so a
// service started through the API really serves. Config.Simulated runs
// them in the model instead (Behavior per app), for tests that need no
// processes.
//
// # Faults
//
// Tests inject faults through the Server's methods or POST /_sim/faults:
// answer 503 for a while, refuse the next changes with a status (409 as
// a lock), hold an app's deployment open, make every deployment slow,
// fail a task, stretch launch latency.
package fakemarathon
