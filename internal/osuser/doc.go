// Package osuser resolves a service's run-as-user to an OS account and
// decides whether this process may start processes as it. The shell
// scheduler uses it so that run-as-user is real: as root, each instance
// runs with the account's uid, gid and supplementary groups; as any other
// user, only that user's own services can run, and every other
// run-as-user is refused with a message that says why.
//
// Lookups go through os/user (the passwd and group databases), fresh on
// every call: an account an administrator adds or removes is seen at the
// next launch, without restarting the router.
package osuser
