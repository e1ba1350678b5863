// Package kubernetes is the Kubernetes scheduler of `waiter serve
// --scheduler kubernetes [--kubeconfig FILE] [--namespace NS]`: it
// implements engine.Scheduler on the Kubernetes API through
// k8s.io/client-go v0.37.2, as Waiter's own Kubernetes scheduler does
// (waiter/src/waiter/scheduler/kubernetes.clj).
//
// It owns:
//
//   - the ReplicaSet (replicaset.go, names.go): each service is one
//     ReplicaSet, as in Waiter (not a Deployment: Waiter kills chosen
//     instances and scales by replica counts itself, which a Deployment's
//     own rollout logic would fight). Its name is Waiter's
//     service-id->k8s-app-name (the name's last segment and the 32
//     character hash, within 63 characters with the pod suffix); labels
//     app, waiter/cluster, waiter/service-hash, waiter/user (and
//     waiter/killing=false on pods); annotation waiter/service-id. One container, waiter-app: the image parameter
//     (else Config.Image), Config.ContainerInitCommands then cmd, Waiter's
//     environment (engine.InstanceEnv, PORT and PORT0..n-1 from a port0
//     chosen per service as Waiter's get-port-range does), cpus and mem
//     as requests and mem as the limit, the health check as a readiness
//     probe (every health-check-interval-secs, failure threshold 1) and,
//     with a positive grace period, as a liveness probe from then on
//     (max failures + 1), the termination grace period (at least 3 s),
//     and the run-as-user's uid (Config.UIDs) as runAsUser/runAsGroup.
//     The namespace is the namespace parameter, else Config.Namespace,
//     where "*" is the run-as-user's own (Waiter's determine-namespace).
//   - the calls (api.go): create (an existing ReplicaSet is not an
//     error), scale (replicas, never below the pods that run, so the
//     controller removes no pod of its choosing; conflicts retried),
//     kill (below), delete (the ReplicaSet with propagation Background,
//     as Waiter, and its pods too, so that a cluster without the garbage
//     collector stops them).
//   - killing a chosen instance: with Replace (an operator's kill) the
//     pod is deleted and the controller replaces it. Otherwise the pod is
//     marked not Ready, then given the lowest pod-deletion-cost and the
//     label waiter/killing=true (the template says "false"); the replicas
//     are lowered by one (optimistic concurrency) only once the
//     ReplicaSet's status, which the controller writes from its own
//     cache, counts the marked pods out of fullyLabeledReplicas; then the
//     pod is deleted. The controller removes unscheduled, then pending,
//     then not-Ready pods and then the cheapest first, so it picks the
//     victim if it acts before the delete (or a pending pod, which serves
//     nothing), and finds replicas and pods agreeing if it acts after.
//     The wait matters because its pod watch can lag its ReplicaSet
//     watch: replicas lowered at once were seen with the victim still
//     unmarked and a serving pod was removed (the outage test's 502;
//     TestKillWhenTheControllerSeesPodsLate reproduces it with the pod
//     watch held back). With no controller acting the kill fails with
//     ErrUnavailable after 10 s and takes its label and cost back.
//     Waiter's order (delete with a 300 s grace, scale down, delete
//     again) lets the controller replace the terminating pod meanwhile,
//     and a deletion cost alone loses to any pod not Ready yet; both were
//     seen to kill a second pod (TestKillDeletesThatPodAndLowersReplicas).
//     Force deletes with grace period 0.
//   - observation (scheduler.go, observe.go, notify.go, watch.go):
//     watches of the ReplicaSets and pods labelled
//     waiter/cluster=Config.Cluster (one namespace, or all with "*"), no
//     polling of the API server: client-go reflectors, as in its shared
//     informers, but retrying a lost API server within about a second
//     (client-go's own back-off grows to [30, 60) s, which kept the
//     caches tens of seconds behind after an outage). Observe
//     reads their caches: requested = replicas, scheduled = pods not being
//     deleted, running pods as instances with id <pod>-<restarts> (Waiter's
//     pod->instance-id), healthy when Ready; the router health-checks the
//     others itself, as Waiter's scheduler syncer does (a 2xx makes one
//     healthy before the kubelet's next readiness probe). Each container
//     restart is recorded as it is watched as a failed instance: exit
//     code, or memory-limit-exceeded for OOMKilled, or
//     never-passed-health-checks for a run that was never Ready and ended
//     by a signal or cleanly (a liveness kill). A pod restarted
//     RestartExpiryThreshold times is expired (Waiter's 2), one restarted
//     RestartKillThreshold times deleted (8). Subscribe announces every
//     watched change, so the driver observes at once.
//   - deployment errors read from pod status at once (the Observation's
//     DeploymentError): "Invalid startup command" for exit 126/127 or a
//     crash loop of a non-zero exit, "Not enough memory allocated" for an
//     OOM kill, Waiter's health-check messages for a run killed by its
//     liveness probe before it was ever Ready, and, where Waiter shows
//     only Kubernetes events, "Unable to pull image <image>: <reason>" and
//     "Not enough resources to schedule an instance: <scheduler's
//     message>".
//
// # Errors
//
// Every error wraps one of ErrUnavailable (no answer, 5xx, 429, or the
// watches not synced), ErrConflict, ErrServiceNotFound,
// ErrInstanceNotFound, ErrInvalidService (the API server's own message is
// kept: Waiter shows it for a refused create) or ErrClosed. While the API
// server is away Observe answers from the watches' caches, so healthy
// pods keep serving, and the calls fail with ErrUnavailable until it is
// back; the watches resume within about a second of its return.
//
// # Permissions
//
// In its namespaces the router needs get, list, watch, create, update,
// delete and deletecollection on replicasets (apps) and pods, and patch
// on pods and pods/status.
//
// # Testing
//
// The tests run against a real kube-apiserver and kube-controller-manager
// built from the module proxy, with the fake kubelet of
// internal/fakekubelet (internal/kubetest; `make kube` builds them once).
package kubernetes
