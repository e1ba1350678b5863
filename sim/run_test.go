package sim

import (
	"encoding/json"
	"testing"

	"github.com/waiter-go/waiter/sim/scenario"
)

func TestSpikeRuns(t *testing.T) {
	sc, err := scenario.Load("../scenarios/spike.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep.Totals, "", " ")
	t.Logf("%s", b)
	for _, a := range rep.Assertions {
		t.Logf("%+v", a)
	}
}
