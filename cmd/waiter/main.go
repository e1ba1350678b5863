package main

import (
	"os"

	"github.com/waiter-go/waiter/cmd/waiter/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Options{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
