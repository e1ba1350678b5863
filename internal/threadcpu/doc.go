// Package threadcpu reads the CPU time the calling OS thread has used.
// The benchmarks that print a ratio to a baseline measured in the same
// run compare it rather than wall time, which also counts the time other
// processes hold the CPU on a shared machine. Callers lock themselves to
// their thread (runtime.LockOSThread) around what they measure.
package threadcpu
