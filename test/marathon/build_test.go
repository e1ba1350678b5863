package marathon

import "github.com/waiter-go/waiter/internal/e2ekit"

// binaries are the absolute paths of the programs under test.
type binaries struct {
	waiter  string
	sim     string
	kitchen string
}

// buildBinaries builds waiter, waiter-sim and kitchen into dir.
func buildBinaries(dir string) (binaries, error) {
	p, err := e2ekit.Build(dir, "waiter", "waiter-sim", "kitchen")
	if err != nil {
		return binaries{}, err
	}
	return binaries{waiter: p[0], sim: p[1], kitchen: p[2]}, nil
}
