// Package workdir reads the work folders the shell scheduler keeps, one
// per instance, at <base>/<service-id>/<instance-id> (Waiter's shell
// scheduler's directory-content, behind /apps/{id}/logs). Every access
// goes through an os.Root opened on the instance's folder, so neither
// "..", an absolute path nor a symbolic link leads out of it.
package workdir
