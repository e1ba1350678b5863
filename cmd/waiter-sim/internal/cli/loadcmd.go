package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/realrun"
	"github.com/waiter-go/waiter/sim/report"
)

// loadCmd drives a real router with a scenario: `waiter-sim load FILE --target URL`.
type loadCmd struct {
	File    string        `arg:"" predictor:"yaml" help:"The scenario (YAML)."`
	Target  string        `required:"" placeholder:"URL" help:"The router to load (http://127.0.0.1:9091)."`
	Seed    *uint64       `placeholder:"N" help:"Seed of the arrivals and service times (default: the scenario's)."`
	Out     string        `placeholder:"DIR" predictor:"dir" help:"Output folder (default: load-<scenario name>)."`
	Kitchen string        `placeholder:"PATH" predictor:"file" help:"The kitchen binary the services run (default: the one beside waiter-sim)."`
	Drain   time.Duration `default:"30s" help:"How long to wait for requests still in flight at the scenario's end."`
}

// Help is load's detailed help.
func (loadCmd) Help() string {
	return `Plays the scenario against a real router for its duration: every service is
described by x-waiter-* headers and played by kitchen (its start-up time and,
per request, a service time drawn from the scenario's distribution), the
arrivals are the ones 'run' simulates with the same seed, sent open loop, and
/state/{id} and /metrics are sampled every second. Writes DIR/report.json,
report.md and report.html (the shape 'run' writes) and requests.jsonl (one
line per request). Scenarios with faults, traces, splits or failure modes
kitchen cannot show are refused.

Example:

    waiter-sim load scenarios/fidelity-step.yaml --target http://127.0.0.1:9091`
}

// Run runs the command.
func (c *loadCmd) Run(e *env) error {
	sc, err := load(c.File)
	if err != nil {
		return err
	}
	kitchen := c.Kitchen
	if kitchen == "" {
		b, err := realrun.FindBinaries()
		if err != nil {
			return err
		}
		kitchen = b.Kitchen
	}
	if kitchen, err = filepath.Abs(kitchen); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(e.stderr, "playing %s against %s for %v\n", sc.Name, c.Target, sc.Duration)
	res, err := realrun.Run(ctx, sc, realrun.Options{Target: c.Target, Seed: c.Seed, Kitchen: kitchen, Drain: c.Drain,
		RunTag: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff),
		Warn:   func(s string) { fmt.Fprintln(e.stderr, "note:", s) }})
	if err != nil {
		return err
	}
	out := c.Out
	if out == "" {
		out = "load-" + scenarioName(sc, c.File)
	}
	files, err := realFiles(res)
	if err != nil {
		return err
	}
	if _, err := writeFiles(out, files...); err != nil {
		return err
	}
	if err := report.WriteSummary(e.stdout, res.Report); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, "report.{json,md,html}, requests.jsonl"))
	return nil
}

// realFiles renders a real run's report files and its request log.
func realFiles(res *realrun.Result) ([]file, error) {
	files, err := runFiles(res.Report)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range res.Requests {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	return append(files, file{name: "requests.jsonl", data: b.Bytes()}), nil
}
