package main

import (
	"os"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
