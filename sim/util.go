package sim

import (
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

func engineRef(i int) engine.RequestID { return engine.RequestID(i) }

func failureCrash() marathon.Failure {
	return marathon.Failure{ExitCode: 1, HasExitCode: true, Message: "Command exited with status 1",
		HasConnected: true, HasResponded: true}
}
