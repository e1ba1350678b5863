package marathon

import "github.com/waiter-go/waiter/internal/e2ekit"

// taskProcesses lists the live processes whose MESOS_SANDBOX lies in
// tasksDir, each labelled with its task's id (MESOS_TASK_ID: Waiter's
// instance id). The simulator gives every task a sandbox there and puts
// it in the task's environment, which every process the task forks
// inherits; so this finds one cluster's tasks and nothing of a parallel
// test's.
func taskProcesses(tasksDir string) []e2ekit.Process {
	return e2ekit.ProcessesWithEnv(e2ekit.EnvUnder("MESOS_SANDBOX", tasksDir), "MESOS_TASK_ID")
}
