package acceptance

import "github.com/waiter-go/waiter/internal/e2ekit"

// binaries are the programs under test, built once per test binary.
type binaries struct {
	waiter  string
	kitchen string
}

// buildBinaries builds waiter and kitchen into dir.
func buildBinaries(dir string) (binaries, error) {
	p, err := e2ekit.Build(dir, "waiter", "kitchen")
	if err != nil {
		return binaries{}, err
	}
	return binaries{waiter: p[0], kitchen: p[1]}, nil
}
