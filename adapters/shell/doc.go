// Package shell is the default scheduler of `waiter serve`: it runs service
// instances as local processes on this machine and implements
// engine.Scheduler. It is Waiter's shell scheduler
// (waiter/src/waiter/scheduler/shell.clj, reference section 9), made safe
// to leave running: every instance is a process group that is stopped
// whole, and nothing outlives the scheduler unaccounted for.
//
// It owns:
//
//   - launching (launch.go, env.go; the process start and the port pool
//     are internal/localproc's, shared with the fake Marathon): each instance is
//     `/bin/sh -c <cmd>`, the leader of its own process group, started in
//     <WorkDir>/<service-id>/<instance-id>/ (its cwd) with stdout and
//     stderr written there, ports PORT0.. from Config.PortRange (a
//     released port rests for PortGracePeriod) and Waiter's environment
//     (reference 2.4). Instance ids are <service-id>.<16 hex digits>; every
//     instance's host is 127.0.0.1.
//   - run-as-user (launch.go, internal/osuser): a router running as root
//     starts each instance as its run-as-user's uid, gid and
//     supplementary groups, with that account's home as HOME, and gives
//     it its folder and output files. A router running as anyone else
//     runs its own user's services only. A run-as-user that cannot be
//     used (no such account, not the router's own while it is not root,
//     a work folder the account cannot reach) fails no call: Observe
//     reports it as the service's DeploymentError, which the engine turns
//     into an immediate 503, and each retry looks the account up again.
//   - stopping (instance.go, internal/procgroup): SIGTERM to the group, SIGKILL after
//     termination-grace-period-secs (at once when it is 0, as Waiter's
//     shell scheduler does), then a wait until no process of the group is
//     left before its ports are released.
//   - health (health.go, probe.go): each instance's health checks send
//     GET http://127.0.0.1:$PORT<health-check-port-index><health-check-url>;
//     2xx is healthy. An instance that is not healthy is probed every
//     age/80, clamped to [0.25 ms, 100 ms], so a cold start costs little
//     more than the service's own start-up: it is connected to first, and
//     until it listens a probe is a refused connect; a healthy one every
//     health-check-interval-secs, and it turns unhealthy after
//     health-check-max-consecutive-failures misses. Probes set
//     FlagHasConnected, FlagHasResponded, FlagTimeoutException and
//     FlagSSLException and the last status (a 401 is a deployment error).
//     An instance's first healthy probe is logged at debug level with its
//     timeline (since the launch, when that probe began, how long it took),
//     which is where a cold start's milliseconds go on this side.
//   - authenticity (authentic.go, internal/portowner): before each probe
//     of an instance that is not healthy, the sockets listening on its
//     first and health-check ports (for 127.0.0.1) must be held by its
//     own process group. Nothing listening: no probe is sent. Another
//     process listening: the instance is failed at once, never probed and
//     never healthy, with FlagNeverPassedHealthChecks, no
//     FlagHasConnected, and a message naming the port and the holder; so
//     a stray local program on a reserved port gets neither health checks
//     nor traffic. Sockets found to be the group's are remembered, so the
//     search of /proc/<pid>/fd runs about once per instance.
//   - failures (instance.go, health.go, memory.go): an instance that exits
//     is failed with its exit code (128+n when killed by signal n; an exit
//     with 0 is a failure too, since a service is meant to keep serving);
//     one unhealthy past grace-period-secs (0 = never) is killed and failed
//     with FlagNeverPassedHealthChecks if it never passed; one whose process
//     group's resident memory exceeds mem MB is killed with SIGKILL and
//     failed with FlagMemoryLimitExceeded. Observe lists the last
//     MaxFailedInstances (10) failures per service, newest last, and keeps
//     their folders (logs) meanwhile. Failed instances are replaced after
//     FailedInstanceRetryInterval (5 s; no exponential backoff, as in
//     Waiter's shell scheduler).
//   - the scheduler port (api.go, observe.go): CreateService,
//     ScaleService, KillInstance (decrements the requested count, as
//     Marathon's scale=true, or with engine.KillOptions.Replace keeps it
//     and launches a replacement at once; Force skips the termination
//     grace), DeleteService, Observe; plus ObserveService,
//     Subscribe and InstanceDir for the driver.
//   - restarts (adopt.go, record.go): service.json and instance.json in
//     the work folder name what runs. New adopts what a crashed
//     predecessor left (Config.Adopt) or, by default, terminates it, and
//     removes folders whose processes are gone. Only records owned by the
//     router's own user count: an instance folder is its run-as-user's,
//     who must not be able to name a group for a root router to kill. A
//     flock on <WorkDir>/.lock keeps two live schedulers off one folder.
//
// # Notifications
//
// Subscribe returns a channel of service ids, sent (without ever blocking
// the scheduler) whenever a service's observation changes: above all when
// an instance turns healthy or dies. A driver that reads it and then calls
// ObserveService learns of a ready instance within the probe interval
// instead of at its next poll. Notifications can be dropped when a
// subscriber lags, so the driver keeps polling Observe too.
//
// # Concurrency
//
// One mutex guards all state. An idle instance has no goroutine of its
// own: one goroutine waits for every instance's exit, its pidfd in one
// epoll set (localproc.Exits; an adopted instance, not our child, too),
// and a timer runs each health-check round on a goroutine that ends with
// it. Goroutines handle an exit (cmd.Wait, or /proc to confirm an
// adopted one's) and terminate a stopping group; where there is no pidfd
// they wait for the exit, or poll /proc for it, all along. One goroutine
// checks memory. Probes, signals' waits and file removal run outside the
// mutex; launches run under it, so Shutdown can never miss one.
//
// # Platform
//
// Linux: process identity, memory and zombie detection read /proc; port
// ownership asks sock_diag and reads /proc/<pid>/fd. The
// engine stays pure; time is read through Config.Now only for timestamps
// and grace periods, while probe and retry timers use real time.
package shell
