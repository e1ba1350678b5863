// Package storetest is the contract of waiter.Store as one test suite,
// run against every store: adapters/bolt (the embedded single-router
// store) and adapters/zookeeper (the cluster's store, on a real
// ZooKeeper). A behaviour the HTTP edge relies on is written here once,
// so the two stores cannot drift apart.
package storetest
