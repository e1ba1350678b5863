// Package fakekubelet is the kubelet of the project's Kubernetes tests:
// a real kube-apiserver (and kube-controller-manager) run against it, so
// that adapters/kubernetes and `waiter serve --scheduler kubernetes` are
// tested against the real API, watches and ReplicaSet controller, while
// pods run as local processes on this machine.
//
// It owns:
//
//   - the Node (kubelet.go): registered Ready with the configured
//     capacity, its Lease in kube-node-lease renewed every LeaseInterval;
//   - scheduling (schedule.go), since no kube-scheduler runs: pods with
//     no node whose requests fit what the node has left are bound to it
//     (pods/binding); the others get PodScheduled=False, reason
//     Unschedulable, with kube-scheduler's message ("0/1 nodes are
//     available: 1 Insufficient cpu.");
//   - running pods (pod.go): the first container's command and args as a
//     local process group started by internal/localproc (the launcher of
//     the shell scheduler and of the simulated Marathon's tasks), with
//     the container's env. All pods share 127.0.0.1, so each container
//     port is mapped to a free local port: PORT/PORTn variables holding a
//     container port are rewritten to the mapped one, probes are aimed at
//     it, and the pod's waiter/service-port annotation (Waiter's own,
//     which its scheduler reads before the container port) is set to the
//     mapped port0. Images are ignored, except that ones Config.Unpullable
//     names fail as ErrImagePull then ImagePullBackOff;
//   - readiness and liveness probes (httpGet), the memory limit (the
//     process group's RSS; over it the group is SIGKILLed and the
//     container reported OOMKilled, exit 137), restarts with the kubelet's
//     back-off (CrashLoopBackOff, base Config.RestartBackoff doubling to
//     MaxRestartBackoff), and graceful deletion (SIGTERM, the grace
//     period, SIGKILL, then the final delete);
//   - status (status.go): phase, PodIP/HostIP 127.0.0.1, the conditions
//     (PodScheduled, Initialized, ContainersReady, Ready), the container
//     status with its state, last state, restart count and exit codes.
//
// The securityContext's runAsUser (and runAsGroup) become the process's
// credentials when this process is root. Close stops every process it
// started (SIGKILL to each group) and waits for them.
package fakekubelet
