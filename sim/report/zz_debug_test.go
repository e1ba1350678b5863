package report

import (
	"os"
	"testing"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

func TestZZDebug(t *testing.T) {
	sc, err := scenario.Load("../../scenarios/spike.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sim.Run(sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	figs, err := runFigures(rep)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range figs {
		os.WriteFile("/tmp/fig"+string(rune('0'+i))+".svg", []byte(`<?xml version="1.0"?>`+"\n"+
			`<svg xmlns="http://www.w3.org/2000/svg" `+f.SVG[5:]), 0o644)
	}
}
