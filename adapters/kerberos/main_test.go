package kerberos

import (
	"testing"

	"github.com/waiter-go/waiter/internal/leakcheck"
)

// TestMain fails the tests when they leave goroutines running.
func TestMain(m *testing.M) { leakcheck.Main(m) }
