package kubernetes

import (
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Labels and annotations on Waiter's objects (Waiter's own keys).
const (
	labelApp         = "app"
	labelCluster     = "waiter/cluster"
	labelServiceHash = "waiter/service-hash"
	labelUser        = "waiter/user"
	// labelKilling is "false" in the pod template and "true" on a pod a
	// scale-down kill has chosen: a template label that is not in the
	// selector, so the ReplicaSet controller's status counts the chosen
	// pods out of fullyLabeledReplicas once it has seen them (KillInstance
	// waits for that before lowering the replicas).
	labelKilling = "waiter/killing"

	annotServiceID   = "waiter/service-id"
	annotPortCount   = "waiter/port-count"
	annotServicePort = "waiter/service-port"
	// annotDeletionCost is Kubernetes' own: the ReplicaSet controller
	// removes pods with the lowest cost first when it scales down.
	annotDeletionCost = "controller.kubernetes.io/pod-deletion-cost"

	// containerName is the service's container (Waiter's
	// waiter-primary-container-name).
	containerName = "waiter-app"
	// maxNameLength is Kubernetes' object name limit (:max-name-length)
	// and podSuffixLength what the ReplicaSet controller appends.
	maxNameLength   = 63
	podSuffixLength = 5
)

var serviceIDParts = regexp.MustCompile(`([^-]+)-(\w{8})(\w+)(\w{8})$`)

// appName shortens a service id to a ReplicaSet name as Waiter's
// service-id->k8s-app-name does: the last name segment before the hash,
// cut to fit, then "-" and the 32-character hash, so that pod names
// (name + "-" + 5 characters) stay within 63 characters.
func appName(serviceID string) string {
	max := maxNameLength - podSuffixLength - 1
	m := serviceIDParts.FindStringSubmatch(strings.ToLower(serviceID))
	var prefix, suffix string
	if m == nil {
		// Not a Waiter service id: a hash of it keeps names unique.
		h := fnv.New64a()
		_, _ = h.Write([]byte(serviceID))
		prefix, suffix = "svc", "-"+strconv.FormatUint(h.Sum64(), 16)
	} else {
		prefix, suffix = m[1], "-"+m[2]+m[3]+m[4]
	}
	prefix = sanitize(prefix)
	if room := max - len(suffix); len(prefix) > room {
		prefix = prefix[:room]
	}
	if prefix == "" {
		prefix = "svc"
	}
	return prefix + suffix
}

// serviceHash is the last 32 characters of a service id (a label value
// cannot hold a whole id).
func serviceHash(serviceID string) string {
	if len(serviceID) > 32 {
		return labelValue(serviceID[len(serviceID)-32:])
	}
	return labelValue(serviceID)
}

// sanitize keeps lowercase letters, digits and '-' (a DNS label).
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), "-")
}

// labelValue makes s a valid label value (63 characters of [A-Za-z0-9._-],
// alphanumeric at both ends).
func labelValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		}
	}
	v := b.String()
	if len(v) > 63 {
		v = v[:63]
	}
	return strings.Trim(v, "-_.")
}

// validName returns why s is not a namespace name, or "".
func validName(s string) string {
	return strings.Join(validation.IsDNS1123Label(s), "; ")
}

// instanceID is Waiter's pod->instance-id: the pod's name and how often
// its container restarted, so each run of the container is an instance
// and a restarted one is a failed instance under its old id.
func instanceID(pod string, restarts int32) string {
	return pod + "-" + strconv.Itoa(int(restarts))
}

// podOf splits an instance id into its pod name and restart count.
func podOf(instance string) (pod string, restarts int32, ok bool) {
	i := strings.LastIndexByte(instance, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(instance[i+1:], 10, 32)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return instance[:i], int32(n), true
}

// port0 is the first of a service's ports, pseudo-random per service as
// Waiter's get-port-range makes it (clients cannot hard-code it, as with
// Marathon's dynamic ports): one of 100 ranges of 10 above the base.
func port0(serviceID string, base int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(serviceID))
	return base + int(h.Sum32()%100)*10
}
