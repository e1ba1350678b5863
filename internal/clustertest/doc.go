// Package clustertest has a Membership for tests of the peer network and
// the driver: a cluster whose routers and leader the test sets, with no
// coordinator behind it (adapters/zookeeper is the real one).
package clustertest
