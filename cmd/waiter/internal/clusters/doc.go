// Package clusters is the `waiter` command line's configuration: the
// Waiter clusters a user can talk to, read from
// ~/.config/waiter/config.yaml or from Waiter's own .waiter.json (its
// CLI's format: clusters, additional-clusters, http timeouts), and the
// choice of clusters a command acts on (--cluster, --url, or every
// enabled one). With no file at all, the one cluster is the local router
// `waiter serve` starts, http://127.0.0.1:9091.
package clusters
