package sim

import (
	"sort"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

func sortIDs(ids []engine.RequestID) {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
}

func engineRef(i int) engine.RequestID { return engine.RequestID(i) }

func failureCrash() marathon.Failure {
	return marathon.Failure{ExitCode: 1, HasExitCode: true, Message: "Command exited with status 1",
		HasConnected: true, HasResponded: true}
}
